-- imerr.retry: classification, policies, ambiguity and policy:start.

do
local imerr = require "imerr"
local retry = require "imerr.retry"

-- A random() that returns the given values in turn.
local function sequence(...)
  local values, i = { ... }, 0
  return function()
    i = i % #values + 1
    return values[i]
  end
end

describe("retry.classify", function()
  it("answers the documented examples", function()
    assert.same({ "transient", "timeout" }, { retry.classify(9510) })
    assert.same({ "fatal", "auth" }, { retry.classify(70001) })
    assert.same({ "transient", "rate_limited" }, { retry.classify(60007) })
    assert.same({ "fatal", "bad_request" }, { retry.classify(6017) })
    assert.same({ "ok", "ok" }, { retry.classify(0) })
    assert.same({ "fatal", "app_defined" }, { retry.classify(125000) })
  end)

  it("accepts every form of code that imerr.lookup does", function()
    assert.same({ "transient", "timeout" }, { retry.classify("9510") })
    assert.same({ "transient", "timeout" }, { retry.classify(" 9510 ") })
    assert.same({ "transient", "timeout" }, { retry.classify(9510.0) })
    assert.same({ "transient", "overload" }, { retry.classify("-302") })
  end)

  it("calls unknown codes fatal and unknown", function()
    assert.same({ "fatal", "unknown", "unknown code: 99999" },
      { retry.classify(99999) })
    assert.same({ "fatal", "unknown", "unknown code: 130006" },
      { retry.classify("130006") })
  end)

  it("calls non-codes fatal and invalid, with a message", function()
    for _, bad in ipairs { "x", {}, true, 1.5, 0 / 0, math.huge, "7e4" } do
      local class, reason, err = retry.classify(bad)
      assert.equal("fatal", class)
      assert.equal("invalid", reason)
      assert.is_string(err)
    end
    local class, reason, err = retry.classify(nil)
    assert.same({ "fatal", "invalid" }, { class, reason })
    assert.truthy(err:find("got nil", 1, true))
  end)

  it("has only 0 as ok, and every row classified", function()
    local counts = {}
    for code, row in imerr.entries() do
      local class, reason = retry.classify(code)
      assert.equal(row.hint.class, class)
      assert.equal(row.hint.reason, reason)
      assert.truthy(imerr.reasons[reason], reason)
      assert.equal(imerr.reasons[reason].class, class)
      counts[class] = (counts[class] or 0) + 1
      if class == "ok" then assert.equal(0, code) end
    end
    assert.same({ ok = 1, transient = 144, fatal = 455 }, counts)
  end)
end)

describe("retry.hint", function()
  it("gives action, delay floor, HTTP status and severity", function()
    local h = retry.hint(9506)
    assert.equal("reduce_rate", h.action)
    assert.equal(0.2, h.min_delay)
    assert.equal(429, h.http_status)
    assert.equal("warning", h.severity)
    assert.equal(1, retry.hint(90024).min_delay)
    assert.equal(60, retry.hint(70050).min_delay)
    assert.equal("relogin", retry.hint(70001).action)
    assert.equal(401, retry.hint(70001).http_status)
    assert.equal("critical", retry.hint(70009).severity)
    assert.equal("fix_request", retry.hint("6017").action)
    assert.equal(400, retry.hint(6017).http_status)
    assert.equal(504, retry.hint(70169).http_status)
    assert.equal(202, retry.hint(30539).http_status)
    assert.equal("none", retry.hint(6208).action)
  end)

  it("gives a fixed hint for unknown codes and nil for non-codes", function()
    local h = retry.hint(99999)
    assert.equal(retry.UNKNOWN, h)
    assert.same({ class = "fatal", reason = "unknown", action = "none",
      min_delay = 0, http_status = 500, severity = "warning",
      ambiguous = false }, h)
    local none, err = retry.hint({})
    assert.is_nil(none)
    assert.truthy(err:find("got table", 1, true))
  end)

  it("gives every transient code a retrying action", function()
    local retrying = { retry = true, retry_later = true, reconnect = true,
      reduce_rate = true, wait_in_progress = true }
    for code, row in imerr.entries() do
      local h = row.hint
      assert.equal(h.class == "transient", retrying[h.action] == true, code)
      assert.truthy(h.min_delay >= 0)
      assert.equal(h, retry.hint(code))
    end
  end)
end)

describe("retry.policy", function()
  it("has the documented defaults", function()
    local p = assert(retry.policy())
    assert.equal(3, p.max_attempts)
    assert.equal(0.05, p.base)
    assert.equal(1, p.throttle_base)
    assert.equal(20, p.cap)
    assert.equal("full", p.jitter)
    assert.is_nil(p.deadline)
    assert.is_nil(p.budget)
  end)

  it("rejects bad options with a message", function()
    for _, opts in ipairs {
      { max_attempts = 0 }, { max_attempts = 2.5 }, { base = -1 },
      { base = 0 / 0 }, { cap = math.huge }, { jitter = "lots" },
      { deadline = 0 }, { random = 4 }, { budget = {} }, { tries = 3 },
      { throttle_base = "1" },
    } do
      local p, err = retry.policy(opts)
      assert.is_nil(p)
      assert.is_string(err)
    end
    assert.is_nil((retry.policy("fast")))
  end)

  it("caps max_attempts at the hard limit of 10", function()
    assert.equal(10, retry.HARD_MAX_ATTEMPTS)
    assert.equal(10, retry.policy { max_attempts = 1000 }.max_attempts)
  end)

  it("keeps the cap when a caller changes the module's field", function()
    local saved = retry.HARD_MAX_ATTEMPTS
    retry.HARD_MAX_ATTEMPTS = 20
    local p = retry.policy { max_attempts = 20, jitter = "none" }
    retry.HARD_MAX_ATTEMPTS = saved
    assert.equal(10, p.max_attempts)
    assert.is_number(p:next(9520, 9))
    local delay, why = p:next(9520, 10)
    assert.is_nil(delay)
    assert.equal("max_attempts", why)
  end)

  it("refuses a method's name as an option", function()
    for _, key in ipairs { "next", "start", "__index" } do
      local p, err = retry.policy { [key] = 1 }
      assert.is_nil(p)
      assert.matches("unknown policy option", err, 1, true)
    end
  end)

  it("doubles the ceiling per attempt, capped (jitter none)", function()
    local p = retry.policy { jitter = "none", max_attempts = 10, cap = 0.3 }
    assert.equal(0.05, p:next(9520, 1))
    assert.equal(0.1, p:next(9520, 2))
    assert.equal(0.2, p:next(9520, 3))
    assert.equal(0.3, p:next(9520, 4))
    assert.equal(0.3, p:next(9520, 9))
  end)

  it("uses the slower base for rate limits and overload", function()
    local p = retry.policy { jitter = "none", max_attempts = 5 }
    assert.equal(1, p:next(60007, 1))
    assert.equal(2, p:next(60007, 2))
    assert.equal(1, p:next(-10114, 1))
    assert.equal(0.05, p:next(70169, 1))
  end)

  it("applies per-code floors, even over the cap", function()
    local p = retry.policy { jitter = "full", random = function() return 0 end }
    assert.equal(0.2, p:next(9506, 1))
    assert.equal(1, p:next(90024, 1))
    assert.equal(60, p:next(70050, 1))
    assert.equal(0, p:next(9520, 1))
  end)

  it("draws full, equal and decorrelated jitter from random()", function()
    local function delays(jitter, r)
      local p = retry.policy { jitter = jitter, max_attempts = 10,
        random = function() return r end }
      return p:next(70169, 1), p:next(70169, 3)
    end
    assert.same({ 0, 0 }, { delays("full", 0) })
    assert.same({ 0.025, 0.1 }, { delays("full", 0.5) })
    assert.same({ 0.025, 0.1 }, { delays("equal", 0) })
    assert.same({ 0.05, 0.2 }, { delays("equal", 1) })
    -- decorrelated: U(base, 3^n * base)
    assert.same({ 0.05, 0.05 }, { delays("decorrelated", 0) })
    local hi1, hi3 = delays("decorrelated", 1)
    assert.near(0.15, hi1, 1e-12)
    assert.near(1.35, hi3, 1e-12)
  end)

  it("spreads full jitter uniformly over [0, ceiling]", function()
    local p = retry.policy { jitter = "full", max_attempts = 10,
      random = sequence(0, 0.25, 0.5, 0.75, 1) }
    for _, want in ipairs { 0, 0.025, 0.05, 0.075, 0.1 } do
      assert.near(want, p:next(70169, 2), 1e-12)
    end
  end)

  it("never returns a negative, NaN or infinite delay", function()
    for _, r in ipairs { -1, 2, 0 / 0, math.huge, -math.huge } do
      for _, jitter in ipairs { "full", "equal", "decorrelated", "none" } do
        local p = retry.policy { jitter = jitter, max_attempts = 10,
          random = function() return r end }
        for attempt = 1, 9 do
          local d = p:next(9520, attempt)
          assert.truthy(d >= 0 and d <= 20, tostring(d))
        end
      end
    end
    local p = retry.policy { random = function() return "x" end }
    assert.equal(0, p:next(9520, 1))
  end)

  it("stops at max_attempts", function()
    local p = retry.policy { max_attempts = 3 }
    assert.is_number(p:next(9520, 1))
    assert.is_number(p:next(9520, 2))
    assert.same({ nil, "max_attempts" }, { p:next(9520, 3) })
    assert.same({ nil, "max_attempts" }, { p:next(9520, 99) })
  end)

  it("says why it does not retry ok, fatal and unknown codes", function()
    local p = retry.policy()
    assert.same({ nil, "ok" }, { p:next(0, 1) })
    assert.same({ nil, "fatal" }, { p:next(6017, 1) })
    assert.same({ nil, "fatal" }, { p:next(99999, 1) })
    assert.same({ nil, "fatal" }, { p:next({}, 1) })
    assert.same({ nil, "fatal" }, { p:next(125000, 1) })
    assert.same({ nil, "relogin" }, { p:next(70001, 1) })
    assert.same({ nil, "invalid" }, { p:next(9520, 0) })
    assert.same({ nil, "invalid" }, { p:next(9520, 0 / 0) })
    assert.same({ nil, "invalid" }, { p:next(9520, "1") })
  end)

  it("stops before a sleep that would pass the deadline", function()
    local p = retry.policy { jitter = "none", deadline = 1, max_attempts = 5 }
    assert.equal(0.05, p:next(9520, 1, 0.9))
    assert.same({ nil, "deadline" }, { p:next(9520, 1, 0.96) })
    assert.same({ nil, "deadline" }, { p:next(60007, 1, 0.01) })
    assert.equal(1, p:next(60007, 1, 0))
    assert.same({ nil, "invalid" }, { p:next(9520, 1, 0 / 0) })
    assert.equal(0.05, p:next(9520, 1))
  end)

  it("allows one retry of a relogin code with fresh credentials", function()
    local p = retry.policy()
    assert.equal(0, p:next(70001, 1, 0, true))
    assert.same({ nil, "max_attempts" }, { p:next(70001, 3, 0, true) })
    local a = p:start()
    assert.same({ nil, "relogin" }, { a:next(70001) })
    a:refreshed()
    assert.equal(0, a:next(70001))
    assert.same({ nil, "relogin" }, { a:next(70001) })
    a:refreshed()
    assert.same({ nil, "relogin" }, { a:next(-10001) })
    assert.equal(2, a:count())
  end)
end)

describe("retry.http_hint", function()
  it("retries the gateway statuses AWS and Envoy retry", function()
    assert.equal("timeout", retry.http_hint(504).reason)
    assert.equal("transient", retry.http_hint(502).class)
    assert.equal("retry_later", retry.http_hint(503).action)
    assert.equal("reduce_rate", retry.http_hint(429).action)
    assert.equal(429, retry.http_hint(429).http_status)
    assert.equal(retry.http_hint(500), retry.http_hint(500))
    local h = retry.http_hint(404)
    assert.same({ "fatal", "bad_response", 502, 404 },
      { h.class, h.reason, h.http_status, h.status })
    for _, bad in ipairs { 99, 600, 200.5, "502", nil } do
      assert.is_nil((retry.http_hint(bad)))
    end
  end)

  it("drives the policy like a code does", function()
    local p = retry.policy { jitter = "none" }
    assert.equal(0.05, p:next(retry.http_hint(502), 1))
    assert.equal(1, p:next(retry.http_hint(503), 1))
    assert.same({ nil, "fatal" }, { p:next(retry.http_hint(404), 1) })
    assert.same({ nil, "fatal" }, { p:next({ class = "transient" }, 1) })
  end)
end)

describe("retry.http_hint's range", function()
  it("takes every status of 100..599, the ends included", function()
    for _, status in ipairs { 100, 101, 199, 499, 598, 599 } do
      local h = assert(retry.http_hint(status), status)
      assert.same({ "fatal", "bad_response", status },
        { h.class, h.reason, h.status })
    end
    for _, bad in ipairs { 99, 600, 1000, -502, 0 / 0, math.huge } do
      local h, err = retry.http_hint(bad)
      assert.is_nil(h)
      assert.equal("HTTP status must be an integer 100..599", err)
    end
  end)
end)

describe("policy:next on a caller's hint and ambiguity", function()
  -- A policy for requests that must not be carried out twice: it retries
  -- only failures that surely were not carried out.
  local once = assert(retry.policy { idempotent = false, jitter = "none" })

  it("takes a hint without ambiguous as not ambiguous", function()
    assert.equal(0.05, once:next({ class = "transient", action = "retry",
      min_delay = 0 }, 1))
    assert.equal(0.05, once:next({ class = "transient", action = "retry",
      min_delay = 0, ambiguous = false }, 1))
  end)

  it("takes only ambiguous = true as ambiguous", function()
    assert.same({ nil, "ambiguous" }, { once:next({ class = "transient",
      action = "retry", min_delay = 0, ambiguous = true }, 1) })
    for _, v in ipairs { "true", 1, "yes" } do
      assert.equal(0.05, once:next({ class = "transient", action = "retry",
        min_delay = 0, ambiguous = v }, 1), tostring(v))
    end
    -- the same for an attempts object of an API that is not idempotent
    local a = assert(retry.policy { jitter = "none" }:start {
      api = "v4/openim/sendmsg" })
    assert.equal(0.05, a:next({ class = "transient", action = "retry",
      min_delay = 0 }))
    assert.same({ nil, "ambiguous" }, { a:next({ class = "transient",
      action = "retry", min_delay = 0, ambiguous = true }) })
  end)
end)
end

do
-- Retries that never carry a request out twice: hints say whether a
-- failure is ambiguous, and a policy for a request that is not idempotent
-- stops there.
local imerr = require "imerr"
local retry = require "imerr.retry"
local api = require "imerr.api"
-- data/ambiguous.tsv, read as the generator reads it (tools/ is on the
-- path of the specs).
local data = require "imerr_data"

local function next_of(p, code, attempt)
  return { p:next(code, attempt or 1) }
end

describe("ambiguous failures", function()
  it("are a reason-level fact of data/reasons.tsv", function()
    for name, r in pairs(imerr.reasons) do
      assert.is_boolean(r.ambiguous, name)
    end
    for _, name in ipairs { "timeout", "network", "server_error", "bad_response" } do
      assert.is_true(imerr.reasons[name].ambiguous, name)
    end
    for _, name in ipairs { "rate_limited", "overload", "conflict", "auth", "ok" } do
      assert.is_false(imerr.reasons[name].ambiguous, name)
    end
  end)

  it("are in every hint, with the codes whose text says otherwise", function()
    local exceptions = 0
    local by_code = {}
    for code, row in imerr.entries() do by_code[code] = row end
    local own = assert(data.read_ambiguous("data/ambiguous.tsv", by_code))
    for code, row in imerr.entries() do
      local want = own[code]
      if want == nil then
        want = imerr.reasons[row.hint.reason].ambiguous
      else
        exceptions = exceptions + 1
      end
      assert.equal(want, row.hint.ambiguous, code)
      assert.equal(row.hint, retry.hint(code))
    end
    assert.is_true(exceptions > 0)
    -- 9518 timed out before it was sent; 9520 while waiting for the answer.
    assert.is_false(imerr.lookup(9518).hint.ambiguous)
    assert.is_true(imerr.lookup(9520).hint.ambiguous)
    assert.equal("timeout", imerr.lookup(9518).hint.reason)
  end)

  it("include transport timeouts and errors, not rate limits", function()
    for _, status in ipairs { 500, 502, 504, 505 } do
      assert.is_true(retry.http_hint(status).ambiguous, status)
    end
    -- 408: the request never fully arrived; other 4xx refuse it.
    for _, status in ipairs { 408, 429, 503, 400, 404 } do
      assert.is_false(retry.http_hint(status).ambiguous, status)
    end
    assert.is_false(retry.UNKNOWN.ambiguous)
    assert.is_true(retry.BAD_RESPONSE.ambiguous)
  end)
end)

describe("a policy for a request that is not idempotent", function()
  local p = assert(retry.policy { idempotent = false, jitter = "none" })
  local plain = assert(retry.policy { jitter = "none" })

  it("stops at an ambiguous failure", function()
    assert.same({ nil, "ambiguous" }, next_of(p, retry.http_hint(504)))
    assert.same({ nil, "ambiguous" }, next_of(p, retry.http_hint(502)))
    assert.same({ nil, "ambiguous" }, next_of(p, 70169))
    assert.same({ nil, "ambiguous" }, next_of(p, "70202"))
    assert.same({ nil, "ambiguous" }, next_of(p, 9520))
    assert.same({ nil, "ambiguous" }, next_of(p, retry.BAD_RESPONSE))
    -- An idempotent policy retries the same failures.
    assert.is_number(plain:next(retry.http_hint(504), 1))
    assert.is_number(plain:next(70169, 1))
    assert.same({ nil, "fatal" }, next_of(plain, retry.BAD_RESPONSE))
  end)

  it("still retries failures that were refused before taking effect", function()
    assert.is_number(p:next(60007, 1))
    assert.is_number(p:next(retry.http_hint(429), 1))
    assert.is_number(p:next(retry.http_hint(503), 1))
    assert.is_number(p:next(30008, 1))
    assert.is_number(p:next(9518, 1))
    assert.same({ nil, "ok" }, next_of(p, 0))
    assert.same({ nil, "fatal" }, next_of(p, 70107))
    assert.same({ nil, "max_attempts" }, next_of(p, 60007, 3))
  end)

  it("takes idempotent from the catalogue through start{ api = path }", function()
    local a = assert(plain:start { api = "v4/openim/sendmsg" })
    assert.same({ nil, "ambiguous" }, { a:next(retry.http_hint(504)) })
    assert.is_number(a:next(60007))
    assert.equal(2, a:count())
    a = assert(plain:start { api = "/v4/profile/portrait_get?sdkappid=1" })
    assert.is_number(a:next(retry.http_hint(504)))
    -- An explicit idempotent wins over the catalogue and the policy.
    a = assert(plain:start { api = "v4/openim/sendmsg", idempotent = true })
    assert.is_number(a:next(retry.http_hint(504)))
    a = assert(p:start { idempotent = true })
    assert.is_number(a:next(retry.http_hint(504)))
    a = assert(p:start())
    assert.same({ nil, "ambiguous" }, { a:next(retry.http_hint(504)) })
  end)

  it("refuses bad options with a message", function()
    local none, err = retry.policy { idempotent = "no" }
    assert.is_nil(none)
    assert.truthy(err:find("idempotent", 1, true))
    for _, bad in ipairs { "v4/openim/sendmsg", 1, { api = "v4/no/such" },
      { api = 5 }, { idempotent = 1 } } do
      none, err = plain:start(bad)
      assert.is_nil(none)
      assert.is_string(err)
    end
  end)

  it("marks as not idempotent only APIs that write", function()
    local n = 0
    for path, row in api.each() do
      if not row.idempotent then
        n = n + 1
        assert.is_true(row.writes, path)
      end
    end
    assert.is_true(n > 0)
  end)
end)
end

do
-- policy:start: which request the attempts are for.
local retry = require "imerr.retry"

describe("policy:start", function()
  local policy = assert(retry.policy {})

  it("refuses options it does not know, so a misspelt api cannot repeat sendmsg",
    function()
      for _, opts in ipairs { { apl = "v4/openim/sendmsg" },
        { path = "v4/openim/sendmsg" }, { api = "v4/openim/sendmsg", x = 1 } } do
        local attempts, err = policy:start(opts)
        assert.is_nil(attempts)
        assert.truthy(err:find("unknown start option", 1, true), err)
      end
    end)

  it("takes api and idempotent", function()
    local attempts = assert(policy:start { api = "v4/openim/sendmsg" })
    local delay, why = attempts:next(70169)
    assert.is_nil(delay)
    assert.equal("ambiguous", why)
    attempts = assert(policy:start { api = "v4/openim/sendmsg", idempotent = true })
    assert.is_number((attempts:next(70169)))
    assert.is_number((assert(policy:start()):next(70169)))
  end)
end)
end

do
-- Sending exactly once: rest.prepare makes the bytes every attempt sends,
-- de-duplication key included, and a policy started with the request
-- resends after an ambiguous failure only while Tencent still discards
-- the resend as a duplicate (data/dedupe.tsv).
local rest = require "imerr.rest"
local retry = require "imerr.retry"
local api = require "imerr.api"
local cjson = require "cjson"

local SENDMSG = "v4/openim/sendmsg"
local U32 = 2 ^ 32 - 1

local function is_u32(v)
  return type(v) == "number" and v >= 1 and v <= U32 and v % 1 == 0
end

local function message(text)
  return { To_Account = "bob", MsgBody = { { MsgType = "TIMTextElem",
    MsgContent = { Text = text or "hello" } } } }
end

describe("rest.prepare", function()
  it("fills the key fields Tencent would fill at random, once", function()
    local req = assert(rest.prepare(SENDMSG, message()))
    assert.equal(SENDMSG, req.api)
    assert.is_string(req.body)
    local body = cjson.decode(req.body)
    assert.is_true(is_u32(body.MsgRandom), req.body)
    assert.is_true(is_u32(body.MsgSeq), req.body)
    assert.equal("bob", body.To_Account)
    assert.equal("hello", body.MsgBody[1].MsgContent.Text)
    -- The sender is the caller's: left as it is (the admin sends).
    assert.is_nil(body.From_Account)
    assert.equal(120, req.dedupe.window)
    assert.same({ "From_Account", "MsgSeq", "MsgRandom" }, req.dedupe.fields)
    -- Another request, another key.
    local other = cjson.decode(assert(rest.prepare(SENDMSG, message())).body)
    assert.are_not.equal(body.MsgRandom, other.MsgRandom)
  end)

  it("never changes a field the caller set, nor the caller's table", function()
    local msg = message()
    msg.MsgRandom, msg.MsgSeq, msg.From_Account = 0, 77, "alice"
    local req = assert(rest.prepare(SENDMSG, msg))
    local body = cjson.decode(req.body)
    assert.equal(0, body.MsgRandom)
    assert.equal(77, body.MsgSeq)
    assert.equal("alice", body.From_Account)
    local mine = message()
    assert(rest.prepare(SENDMSG, mine))
    assert.is_nil(mine.MsgRandom)
    assert.is_nil(mine.MsgSeq)
  end)

  it("keeps the bytes of JSON text, writing in only what is missing", function()
    local text = ' {"To_Account":"bob", "Cursor": 18446744073709551615,' ..
      ' "Id": 1234567890123456789, "MsgSeq": 5} '
    local req = assert(rest.prepare(SENDMSG, text))
    local random = req.body:match('^ {"MsgRandom":(%d+),"To_Account"')
    assert.truthy(random, req.body)
    assert.is_true(is_u32(tonumber(random)))
    assert.equal(text, req.body:gsub('"MsgRandom":%d+,', ""))
    -- Complete text is sent as it is.
    local full = '{"MsgRandom":1,"MsgSeq":2,"To_Account":"bob"}'
    assert.equal(full, assert(rest.prepare(SENDMSG, full)).body)
    -- An empty object takes the fields alone.
    local empty = assert(rest.prepare(SENDMSG, "{}")).body
    assert.truthy(empty:match('^{"Msg%a+":%d+,"Msg%a+":%d+}$'), empty)
  end)

  it("fills each import_group_msg message's Random", function()
    local path = "v4/group_open_http_svc/import_group_msg"
    local req = assert(rest.prepare(path, { GroupId = "g", MsgList = {
      { From_Account = "a", Random = 5 }, { From_Account = "b" } } }))
    local list = cjson.decode(req.body).MsgList
    assert.equal(5, list[1].Random)
    assert.is_true(is_u32(list[2].Random))
    local text = '{"GroupId":"g","MsgList":[{"Random":5},{ },' ..
      '{"MsgBody":[{"Text":"}]{"}]}]}'
    local body = assert(rest.prepare(path, text)).body
    list = cjson.decode(body).MsgList
    assert.equal(5, list[1].Random)
    assert.is_true(is_u32(list[2].Random))
    assert.is_true(is_u32(list[3].Random))
    assert.equal("}]{", list[3].MsgBody[1].Text)
  end)

  it("fills the group messages' Random and importmsg's MsgSeq and MsgRandom", function()
    for _, path in ipairs { "v4/group_open_http_svc/send_group_msg",
      "v4/group_open_http_svc/send_broadcast_msg" } do
      local body = cjson.decode(assert(rest.prepare(path, { GroupId = "g" })).body)
      assert.is_true(is_u32(body.Random), path)
    end
    local body = cjson.decode(assert(rest.prepare("v4/openim/importmsg",
      { From_Account = "a", To_Account = "b", MsgTimeStamp = 1700000000 })).body)
    assert.is_true(is_u32(body.MsgSeq))
    assert.is_true(is_u32(body.MsgRandom))
    assert.equal(1700000000, body.MsgTimeStamp)
  end)

  it("encodes the body of an API without a rule, adding nothing", function()
    local req = assert(rest.prepare("v4/openim/batchsendmsg",
      { To_Account = { "a", "b" }, MsgRandom = nil }))
    assert.equal('{"To_Account":["a","b"]}', req.body)
    assert.is_nil(req.dedupe)
  end)

  it("writes integers with all their digits", function()
    local body = assert(rest.prepare("v4/openim/batchsendmsg",
      { Big = math.tointeger and math.tointeger(2 ^ 62) + 1 or 2 ^ 60 })).body
    if math.tointeger then
      assert.equal('{"Big":4611686018427387905}', body)
    else
      assert.equal('{"Big":1152921504606846976}', body)
    end
  end)

  it("refuses what it cannot send, with a message", function()
    local cyclic = { To_Account = "bob" }
    cyclic.self = cyclic
    local cases = {
      { { x = 0 / 0 }, "body.x is NaN" },
      { { x = math.huge }, "no such number" },
      { { f = print }, "body.f is a function" },
      { cyclic, "holds itself" },
      { { l = { 1, nil, 3 } }, "holes" },
      { { l = { 1, a = 2 } }, "mixes list items and named fields" },
      { { [true] = 1 }, "key that is a boolean" },
      { { s = "\255" }, "not UTF-8" },
      { { 1, 2 }, "JSON text of an object" },
      { 42, "JSON text of an object" },
      { "[1]", "JSON text of an object" },
      { '{"a":1,', "not JSON" },
      { '{"a":1,"a":2}', "twice" },
      { "{\"a\":\"\0\"}", "NUL" },
    }
    local deep = {}
    for _ = 1, 70 do deep = { deep } end
    cases[#cases + 1] = { { d = deep }, "deeper than 64" }
    for _, case in ipairs(cases) do
      local req, err = rest.prepare(SENDMSG, case[1])
      assert.is_nil(req, case[2])
      assert.is_string(err)
      assert.truthy(err:find(case[2], 1, true), err)
    end
    local req, err = rest.prepare("v4/openim/nope", {})
    assert.is_nil(req)
    assert.truthy(err:find("unknown api", 1, true))
  end)
end)

describe("a policy started with a prepared request", function()
  -- A fake clock the test moves.
  local now = 1000
  local function clock() return now end
  local p = assert(retry.policy { clock = clock, jitter = "none", base = 0.05,
    max_attempts = 5, attempt_timeout = 5 })
  local timeout = retry.http_hint(504)

  it("retries an ambiguous sendmsg failure inside the window, not after", function()
    local req = assert(rest.prepare(SENDMSG, message()))
    local attempts = assert(p:start { request = req })
    now = now + 1
    assert.is_number(attempts:next(timeout))
    assert.equal(req.body, attempts:body())
    -- 110 s in: 110 + delay + 5 + 12 (a tenth of 120) > 120.
    local late = assert(p:start { request = req })
    now = now + 110
    assert.same({ nil, "ambiguous" }, { late:next(timeout) })
    -- The last moment: 120 - 5 - 12 - 0.1 (the second delay).
    local edge = assert(p:start { request = req })
    now = now + 102.8
    assert.is_number(edge:next(timeout))
    now = now + 0.2
    assert.same({ nil, "ambiguous" }, { edge:next(timeout) })
  end)

  it("refuses an ambiguous batchsendmsg failure at once", function()
    local req = assert(rest.prepare("v4/openim/batchsendmsg",
      { To_Account = { "a" } }))
    local attempts = assert(p:start { request = req })
    assert.same({ nil, "ambiguous" }, { attempts:next(timeout) })
    -- Failures refused before they took effect are still retried.
    assert.is_number(attempts:next(retry.http_hint(429)))
  end)

  it("keeps today's answer without a request, and for an api alone", function()
    assert.same({ nil, "ambiguous" },
      { assert(p:start { api = SENDMSG }):next(timeout) })
    assert.same({ nil, "ambiguous" },
      { assert(retry.policy { idempotent = false }):next(timeout, 1) })
  end)

  it("retries importmsg whatever the time (its window never ends)", function()
    local req = assert(rest.prepare("v4/openim/importmsg",
      { From_Account = "a", To_Account = "b", MsgTimeStamp = 1 }))
    local strict = assert(retry.policy { clock = clock, jitter = "none",
      idempotent = false, attempt_timeout = 3600 })
    local attempts = assert(strict:start { request = req, idempotent = false })
    now = now + 86400 * 30
    assert.is_number(attempts:next(timeout))
  end)

  it("uses the group messages' five minutes with their margin", function()
    local req = assert(rest.prepare("v4/group_open_http_svc/send_group_msg",
      { GroupId = "g" }))
    local attempts = assert(p:start { request = req })
    now = now + 260
    -- 260 + 0.05 + 5 + 30 <= 300
    assert.is_number(attempts:next(timeout))
    now = now + 5
    assert.same({ nil, "ambiguous" }, { attempts:next(timeout) })
  end)

  it("sends the bytes of the start, whatever the caller changes after", function()
    local req = assert(rest.prepare(SENDMSG, message()))
    local body = req.body
    local attempts = assert(p:start { request = req })
    req.body = '{"To_Account":"mallory"}'
    assert.equal(body, attempts:body())
    assert.is_nil(assert(p:start()):body())
  end)

  it("reads the window from the catalogue, not from the request table", function()
    local req = assert(rest.prepare("v4/openim/batchsendmsg", { To_Account = { "a" } }))
    req.dedupe = { window = math.huge, fields = {} }
    assert.same({ nil, "ambiguous" },
      { assert(p:start { request = req }):next(timeout) })
  end)

  it("refuses requests not made by rest.prepare, and a request with an api", function()
    local fake = { api = SENDMSG, body = "{}", dedupe = api.get(SENDMSG).dedupe }
    local ok, err = p:start { request = fake }
    assert.is_nil(ok)
    assert.truthy(err:find("rest.prepare", 1, true))
    local req = assert(rest.prepare(SENDMSG, message()))
    ok, err = p:start { request = req, api = SENDMSG }
    assert.is_nil(ok)
    assert.truthy(err:find("not both", 1, true))
    ok, err = retry.policy { attempt_timeout = 0 }
    assert.is_nil(ok)
    assert.truthy(err:find("attempt_timeout", 1, true))
  end)
end)
end
