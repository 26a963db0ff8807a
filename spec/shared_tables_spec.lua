-- Rows, hints, reasons and catalogue rows are plain tables: pairs, #,
-- ipairs and JSON encoders see every field, on every Lua. Rows, hints and
-- reasons are shared by every caller in a process; what a caller writes
-- into one (or into a catalogue row, which is its own) changes no
-- decision: classify, policies, rest.check, limiters, callbacks and
-- matchers read imerr's private tables.
local imerr = require "imerr"
local retry = require "imerr.retry"
local hint = require "imerr._hint"
local rest = require "imerr.rest"
local api = require "imerr.api"
local store = require "imerr.store"
local ratelimit = require "imerr.ratelimit"
local cjson = require "cjson"
local data = require "imerr_data"
-- What imerr's own modules share; tested here for what it must never do.

-- Runs f after writing fields into t (field -> value), then puts back
-- what t held, whatever f did: the tables are shared with other specs.
local function with_writes(t, fields, f)
  local saved = {}
  for k in pairs(fields) do saved[k] = { rawget(t, k) } end
  for k, v in pairs(fields) do t[k] = v end
  local ok, err = pcall(f)
  for k in pairs(fields) do t[k] = saved[k][1] end
  assert(ok, err)
end

-- A fresh instance of a module above imerr, which reads what it needs at
-- require; the one other specs hold stays.
local function fresh(name)
  local saved = package.loaded[name]
  package.loaded[name] = nil
  local ok, mod = pcall(require, name)
  package.loaded[name] = saved
  assert(ok, mod)
  return mod
end

-- Keys of t, sorted.
local function keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

local ROW_KEYS = { "code", "hint", "last", "message", "name", "official",
  "part", "section", "source" }
local HINT_KEYS = { "action", "ambiguous", "class", "http_status",
  "min_delay", "reason", "severity" }

describe("imerr's tables", function()
  it("are plain tables that a JSON encoder reads whole", function()
    local row = imerr.lookup(70001)
    assert.is_nil(getmetatable(row))
    assert.is_nil(getmetatable(row.hint))
    local text = cjson.encode(row)
    assert.truthy(text:find('"ERR_SVR_ACCOUNT_USERSIG_EXPIRED"', 1, true))
    assert.truthy(text:find('"message":"UserSig expired.', 1, true))
    local back = cjson.decode(text)
    assert.equal(row.message, back.message)
    assert.same(imerr.copy(row.hint), back.hint)
    assert.equal("relogin", back.hint.action)
  end)

  it("are visited field by field by pairs, on every Lua", function()
    assert.same(ROW_KEYS, keys(imerr.lookup(9510)))
    assert.same(HINT_KEYS, keys(imerr.lookup(9510).hint))
    assert.same(HINT_KEYS, keys(retry.hint(9510)))
    -- A row whose meaning Tencent changed has one more.
    local changed
    for _, row in imerr.entries() do changed = changed or row.change and row end
    local with_change = { "change" }
    for _, k in ipairs(ROW_KEYS) do with_change[#with_change + 1] = k end
    assert.same(with_change, keys(changed))
    assert.same({ "ambiguous", "class", "http_status", "meaning", "name",
      "severity" }, keys(imerr.reasons.timeout))
    assert.equal(rawget(imerr.lookup(9510), "name"), "ERR_SDK_NET_CONN_TIMEOUT")
  end)

  it("count and list the reasons with # and ipairs, on every Lua", function()
    local _, order = assert(data.read_reasons("data/reasons.tsv"))
    assert.equal(#order, #imerr.reasons_list)
    assert.truthy(#order > 20)
    local n = 0
    for i, r in ipairs(imerr.reasons_list) do
      n = i
      assert.equal(imerr.reasons[r.name], r)
      assert.equal(order[i].reason, r.name)
    end
    assert.equal(#order, n)
    local listed = cjson.decode(cjson.encode(imerr.reasons_list))
    assert.equal(#order, #listed)
    assert.equal("ok", listed[1].name)
  end)

  it("are the same tables on every call", function()
    assert.equal(imerr.lookup(70001), imerr.lookup("70001"))
    assert.equal(imerr.lookup(70001).hint, retry.hint(70001))
    assert.equal(retry.hint(70001), retry.hint(6206))
    assert.equal(retry.http_hint(503), hint.http_hint(503))
    assert.equal(hint.reason_hint("timeout"), hint.reason_hint("timeout"))
  end)

  it("are no longer reached by imerr.index or imerr.hint_index (2.0)", function()
    assert.is_nil(rawget(imerr, "index"))
    assert.is_nil(rawget(imerr, "hint_index"))
  end)
end)

describe("what a caller writes into them", function()
  local policy = assert(retry.policy { random = function() return 0.5 end })
  local FAIL = '{"ActionStatus":"FAIL","ErrorCode":70001,"ErrorInfo":"x"}'

  it("changes no classification nor policy", function()
    local row = imerr.lookup(70001)
    with_writes(row.hint, { class = "transient", action = "retry",
      reason = "network", min_delay = 99 }, function()
      assert.equal("transient", row.hint.class)
      assert.same({ "fatal", "auth" }, { retry.classify(70001) })
      assert.same({ "fatal", "auth" }, { retry.classify("70001") })
      assert.same({ nil, "relogin" }, { policy:next(70001, 1, 0) })
      -- The 19 other codes that share the hint are untouched as well.
      assert.same({ nil, "relogin" }, { policy:next(6206, 1, 0) })
      -- imerr's own hint, passed back, is read from the private table.
      assert.same({ nil, "relogin" }, { policy:next(row.hint, 1, 0) })
      assert.same({ nil, "relogin" }, { policy:next(retry.hint(6206), 1, 0) })
    end)
  end)

  it("changes no policy on imerr's own hint passed back", function()
    local h = retry.hint(9506)
    local before = assert(policy:next(9506, 1, 0))
    with_writes(h, { min_delay = "1", class = "fatal" }, function()
      assert.equal("transient", (retry.classify(9506)))
      assert.equal(before, policy:next(9506, 1, 0))
      assert.equal(before, policy:next(h, 1, 0))
    end)
  end)

  it("changes no row found another way, nor a range", function()
    local row = imerr.lookup(125000)
    with_writes(row, { hint = retry.hint(9506), name = "X" }, function()
      assert.same({ "fatal", "app_defined" }, { retry.classify(125001) })
      assert.same({ nil, "fatal" }, { policy:next(125001, 1, 0) })
      assert.equal("ERR_SVR_MSG_CALLBACK_APP_DEFINED", imerr.name(125001))
    end)
    row = imerr.lookup(70001)
    with_writes(row, { name = "X", message = "Y", hint = retry.hint(9506) },
      function()
        assert.equal("ERR_SVR_ACCOUNT_USERSIG_EXPIRED", imerr.name("70001"))
        assert.equal("ERR_SVR_ACCOUNT_USERSIG_EXPIRED", imerr.name(70001))
        assert.equal("UserSig", imerr.message(" 70001"):sub(1, 7))
        assert.same({ nil, "relogin" }, { policy:next("70001", 1, 0) })
      end)
  end)

  it("changes no error table of rest.check", function()
    local row = imerr.lookup(70001)
    with_writes(row, { name = "X" }, function()
      with_writes(row.hint, { class = "transient", http_status = 200,
        ambiguous = true }, function()
        local _, err = rest.check(FAIL)
        assert.equal("ERR_SVR_ACCOUNT_USERSIG_EXPIRED", err.name)
        assert.equal("fatal", err.class)
        assert.equal(401, err.http_status)
        assert.is_false(err.ambiguous)
        assert.same({ nil, "relogin" }, { policy:next(err, 1, 0) })
      end)
    end)
    for _, h in ipairs { retry.UNKNOWN, retry.BAD_RESPONSE, retry.INVALID } do
      with_writes(h, { class = "transient", reason = "x" }, function()
        local _, err = rest.check('{"ActionStatus":"FAIL","ErrorCode":99999}')
        assert.same({ "fatal", "unknown" }, { err.class, err.reason })
        _, err = rest.check("not json")
        assert.same({ "fatal", "bad_response" }, { err.class, err.reason })
        _, err = rest.check("{}", 42)
        assert.same({ "fatal", "invalid" }, { err.class, err.reason })
        assert.same({ "fatal", "unknown", "unknown code: 99999" },
          { retry.classify(99999) })
        assert.same({ nil, "fatal" }, { policy:next(99999, 1, 0) })
      end)
    end
  end)

  it("changes no limiter", function()
    local l = assert(ratelimit.new { rate = 100, burst = 10,
      store = store.memory() })
    with_writes(imerr.lookup(9506).hint, { reason = "network" }, function()
      with_writes(retry.http_hint(429), { reason = "network" }, function()
        assert.is_number(l:observe(9506))
        assert.is_number(l:observe(retry.hint(9506)))
        assert.is_number(l:observe(retry.http_hint(429)))
      end)
    end)
  end)

  it("changes no matcher", function()
    local row = imerr.lookup(70001)
    with_writes(row, { section = "group", official = false, name = "X" },
      function()
        with_writes(row.hint, { reason = "network", severity = "info" },
          function()
            local m = assert(imerr.matcher { reason = "auth",
              section = "account", official = true, severity = "warning",
              name = "ERR_SVR_ACCOUNT_USERSIG_EXPIRED" })
            assert.is_true(m(70001))
            assert.is_true(m("70001"))
          end)
      end)
  end)

  it("changes no reason a hint is made from", function()
    with_writes(imerr.reasons.timeout, { class = "fatal", http_status = 200 },
      function()
        local h = assert(hint.reason_hint("timeout", "retry_later"))
        assert.equal("transient", h.class)
        assert.equal(504, h.http_status)
        h = assert(retry.http_hint(408))
        assert.equal("transient", h.class)
      end)
    with_writes(imerr.reasons, { auth = false }, function()
      local matcher = fresh("imerr._matcher")
      assert.is_true(matcher.new { reason = "auth" }(70001))
    end)
  end)

  it("changes no callback range", function()
    local row = imerr.lookup(120001)
    with_writes(row, { last = 120001, hint = retry.hint(9506) }, function()
      local callback = fresh("imerr.callback")
      assert.is_table((callback.reject(125000, "no")))
      assert.equal(130000, callback.APP_RANGES[3][2])
    end)
  end)

  it("changes no catalogue row another caller or a decision reads", function()
    local row = assert(api.get("v4/openim/sendmsg"))
    row.idempotent, row.rate = true, 1e9
    row.items[1] = nil
    assert.is_false(api.get("v4/openim/sendmsg").idempotent)
    assert.equal(200, api.get("v4/openim/sendmsg").rate)
    assert.is_false(api.get("v4/openim/sendmsg").idempotent)
    local attempts = assert(retry.policy {}:start { api = "v4/openim/sendmsg" })
    assert.equal(nil, (attempts:next(retry.http_hint(504))))
    local _, why = attempts:next(retry.http_hint(504))
    assert.equal("ambiguous", why)
    local batch = api.get("v4/openim/batchsendmsg")
    batch.items[1].path[1] = "Nope"
    local _, failed = rest.check('{"ActionStatus":"OK","ErrorCode":0,' ..
      '"ErrorList":[{"To_Account":"a","ErrorCode":70107}]}',
      "v4/openim/batchsendmsg")
    assert.equal("a", failed[1].id)
    local limiter = assert(ratelimit.for_api("v4/openim/sendmsg", { app = 1 }))
    assert.equal(200, limiter.rate)
  end)
end)

describe("imerr.copy", function()
  it("copies imerr's tables into tables of the caller's own", function()
    local row = imerr.lookup(9506)
    local copy = assert(imerr.copy(row))
    assert.are_not.equal(row, copy)
    assert.are_not.equal(row.hint, copy.hint)
    assert.same(ROW_KEYS, keys(copy))
    assert.equal(0.2, copy.hint.min_delay)
    copy.hint.min_delay = 99
    assert.equal(0.2, row.hint.min_delay)
    local list = assert(imerr.copy(imerr.reasons_list))
    assert.equal(#imerr.reasons_list, #list)
    assert.are_not.equal(imerr.reasons_list[1], list[1])
    local reasons = assert(imerr.copy(imerr.reasons))
    assert.same(imerr.reasons.timeout, reasons.timeout)
    assert.same(imerr.copy(retry.UNKNOWN), imerr.copy(hint.UNKNOWN))
  end)

  it("refuses what imerr did not hand out, without raising", function()
    assert.same({ nil, "not a table imerr shares: table" }, { imerr.copy({}) })
    assert.same({ nil, "not a table imerr shares: nil" }, { imerr.copy() })
    assert.same({ nil, "not a table imerr shares: table" },
      { imerr.copy(api.get("v4/openim/sendmsg")) })
    assert.same({ nil, "not a table imerr shares: table" },
      { imerr.copy({ code = 0 / 0, name = {} }) })
  end)

  it("copies a table a caller wrote a cycle into", function()
    local row = imerr.lookup(9510)
    with_writes(row, { self = row }, function()
      local copy = assert(imerr.copy(row))
      assert.equal(copy, copy.self)
    end)
  end)
end)

describe("policy:next on tables it did not make", function()
  local policy = assert(retry.policy { random = function() return 1 end,
    jitter = "none" })

  it("uses imerr's own hints as they are", function()
    assert.equal(0.05, policy:next(retry.http_hint(502), 1, 0))
    assert.equal(1, policy:next(retry.http_hint(503), 1, 0))
    assert.same({ nil, "relogin" }, { policy:next(imerr.lookup(70001).hint, 1) })
    assert.same({ nil, "fatal" }, { policy:next(retry.UNKNOWN, 1) })
  end)

  it("takes a rest.check error table", function()
    local _, err = rest.check('{"ActionStatus":"FAIL","ErrorCode":70169,' ..
      '"ErrorInfo":"x"}')
    assert.equal("table", type(err))
    assert.equal("number", type(policy:next(err, 1, 0)))
    local copy = assert(imerr.copy(retry.hint(90024)))
    assert.equal(1, policy:next(copy, 1, 0))
  end)

  local function with(fields)
    local t = { class = "transient", action = "retry", min_delay = 0 }
    for k, v in pairs(fields) do t[k] = v end
    return t
  end

  it("refuses tables with an unusable field, without raising", function()
    for _, bad in ipairs {
      with { min_delay = math.huge }, with { min_delay = -1 },
      with { min_delay = 0 / 0 }, with { min_delay = 3601 },
      with { min_delay = "1" }, with { class = "bogus" },
      with { class = 1 }, with { action = 7 }, with { action = false },
    } do
      assert.same({ nil, "fatal" }, { policy:next(bad, 1, 0) })
    end
    local missing = with {}
    missing.action = nil
    assert.same({ nil, "fatal" }, { policy:next(missing, 1, 0) })
    missing = with {}
    missing.min_delay = nil
    assert.same({ nil, "fatal" }, { policy:next(missing, 1, 0) })
    -- A row is no hint.
    assert.same({ nil, "fatal" }, { policy:next(imerr.lookup(9506), 1, 0) })
  end)

  it("accepts the edges and reads fields raw, so no metamethod runs", function()
    assert.equal(3600, policy:next(with { min_delay = 3600 }, 1, 0))
    assert.equal(0.05, policy:next(with { min_delay = 0 }, 1, 0))
    local sneaky = setmetatable(with {}, { __index = function() error("no") end })
    assert.equal(0.05, policy:next(sneaky, 1, 0))
    local empty = setmetatable({}, { __index = with {} })
    assert.same({ nil, "fatal" }, { policy:next(empty, 1, 0) })
  end)

  it("gives the same delay for a code and for a copy of its hint", function()
    for _, code in ipairs { 9506, 60007, 90024, 70169, 6017, 0, 70001 } do
      local copy = imerr.copy(retry.hint(code))
      assert.same({ policy:next(code, 1, 0) }, { policy:next(copy, 1, 0) })
    end
  end)
end)

describe("imerr._hint", function()
  it("makes one hint per reason and action", function()
    local h = assert(hint.reason_hint("timeout", "retry"))
    assert.equal(h, hint.reason_hint("timeout", "retry"))
    assert.equal("transient", h.class)
    assert.equal(504, h.http_status)
    assert.equal("none", hint.reason_hint("timeout").action)
    assert.is_nil(retry.reason_hint)
    assert.same({ "action", "ambiguous", "class", "http_status", "min_delay",
      "reason", "severity" }, keys(h))
    assert.same({ "action", "ambiguous", "class", "http_status", "min_delay",
      "reason", "severity", "status" }, keys(retry.http_hint(503)))
  end)

  it("refuses unknown reasons and actions without raising", function()
    local evil = setmetatable({}, { __tostring = function() error("no") end })
    for _, args in ipairs { { "nope" }, { evil }, { "timeout", "nap" },
      { "timeout", evil }, { nil, "retry" } } do
      local h, err = hint.reason_hint(args[1], args[2])
      assert.is_nil(h)
      assert.matches("^unknown %a+: ", err)
    end
  end)
end)

describe("the functions that read shared tables", function()
  local raising = setmetatable({}, { __index = function() error("index") end,
    __tostring = function() error("tostring") end,
    __eq = function() error("eq") end, __len = function() error("len") end })
  local BAD = { true, false, 0 / 0, math.huge, -math.huge, 2 ^ 63, -2 ^ 63, 1.5,
    "", "\0", ("x"):rep(1e6), "70001\0", {}, raising, print,
    coroutine.create(function() end), io.stdout, { class = raising },
    { min_delay = {} }, { code = 0 / 0 }, { name = raising } }

  it("never raise on bad input", function()
    local policy = assert(retry.policy {})
    for i = 0, #BAD do
      local v = BAD[i] -- BAD[0] is nil
      for name, f in pairs { copy = imerr.copy, of = hint.of,
        classify = hint.classify, resolve = hint.resolve,
        reason_hint = hint.reason_hint, http_hint = hint.http_hint,
        next = function(x) return policy:next(x, 1, 0) end } do
        local ok, err = pcall(f, v)
        assert(ok, name .. "(#" .. i .. "): " .. tostring(err))
      end
      assert.is_nil((hint.resolve(v)))
    end
  end)
end)

describe("what imerr keeps for its own modules", function()
  it("is not handed out by the public modules", function()
    for name, mod in pairs { imerr = imerr, retry = retry, store = store,
      rest = rest, api = api, ratelimit = require "imerr.ratelimit",
      callback = require "imerr.callback", alert = require "imerr.alert" } do
      for _, key in ipairs { "resolve", "positive_number", "number",
        "finite", "private_of", "hints", "PUBLIC", "api_row" } do
        assert.is_nil(rawget(mod, key), name .. "." .. key)
      end
    end
  end)

  it("never reaches a caller through a hint", function()
    local h = retry.hint(9510)
    for k in pairs(h) do
      assert.equal("string", type(k))
      assert.is_nil(k:find("\0", 1, true))
    end
    assert.equal(#HINT_KEYS, #keys(imerr.copy(h)))
  end)

  it("keeps the Redis scripts the stores run whatever a caller writes", function()
    local calls = {}
    local s = assert(store.redis({ eval = function(_, src)
      calls[#calls + 1] = src
      return nil
    end, evalsha = function() return nil, "NOSCRIPT" end }))
    store.scripts.get = "return 42"
    s:get("k")
    assert.is_true(#calls > 0)
    for _, src in ipairs(calls) do assert.not_equal("return 42", src) end
  end)
end)
