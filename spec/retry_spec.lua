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
    assert.same({ ok = 1, transient = 143, fatal = 450 }, counts)
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
