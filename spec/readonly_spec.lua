-- Rows, hints and reasons are shared by every caller in a process: none can
-- change what another one reads, nor what imerr decides.
local imerr = require "imerr"
local retry = require "imerr.retry"
local hint = require "imerr.hint"
local rest = require "imerr.rest"
local api = require "imerr.api"
local store = require "imerr.store"
-- What imerr's own modules share; tested here for what it must never do.
local private = require "imerr._private"

-- Lua 5.2 and later honour __pairs and __len on tables.
local HAS_PAIRS = not rawget(_G, "jit") and _VERSION ~= "Lua 5.1"

-- Runs f, which must raise; returns the message.
local function raises(f)
  local ok, err = pcall(f)
  assert.is_false(ok, "no error raised")
  return tostring(err)
end

describe("read-only tables", function()
  local policy = assert(retry.policy { random = function() return 0.5 end })

  it("refuse writes into a row and its hint, with a clear message", function()
    local row = imerr.lookup(70001)
    local err = raises(function() row.hint.class = "transient" end)
    assert.matches("cannot set field class", err, 1, true)
    assert.matches("read-only", err, 1, true)
    -- The message points at the line that wrote.
    assert.matches("readonly_spec.lua:%d+:", err)
    raises(function() row.name = "X" end)
    raises(function() row.extra = 1 end)
    raises(function() row.hint.min_delay = math.huge end)
    assert.equal("ERR_SVR_ACCOUNT_USERSIG_EXPIRED", row.name)
    assert.equal("fatal", row.hint.class)
    assert.equal("relogin", row.hint.action)
  end)

  it("keep decisions on the data after a write was attempted", function()
    pcall(function() imerr.lookup(70001).hint.class = "transient" end)
    assert.same({ "fatal", "auth" }, { retry.classify(70001) })
    assert.same({ nil, "relogin" }, { policy:next(70001, 1, 0) })
    -- The 19 other codes that share the hint are untouched as well.
    assert.same({ nil, "relogin" }, { policy:next(6206, 1, 0) })
  end)

  it("keep decisions on private data even after rawset into a view", function()
    -- rawset bypasses every metamethod: the view itself now holds the
    -- field, so readers of the view see it; decisions do not read views.
    local h = retry.hint(9506)
    local before = retry.hint(9506).min_delay
    rawset(h, "min_delay", "1")
    rawset(h, "class", "fatal")
    assert.equal("transient", (retry.classify(9506)))
    local delay = assert(policy:next(9506, 1, 0))
    assert.truthy(delay >= before)
    delay = assert(policy:next(h, 1, 0))
    assert.equal("number", type(delay))
    rawset(h, "min_delay", nil)
    rawset(h, "class", nil)
    assert.equal("transient", h.class)
  end)

  it("protect the hint of unknown codes and the constants", function()
    raises(function() retry.hint(99999).class = "transient" end)
    assert.same({ "fatal", "unknown", "unknown code: 99999" },
      { retry.classify(99999) })
    for _, h in ipairs { retry.UNKNOWN, retry.INVALID, retry.BAD_RESPONSE,
      retry.http_hint(503), hint.reason_hint("timeout") } do
      raises(function() h.class = "transient" end)
      raises(function() h.min_delay = 1 end)
    end
    assert.equal(retry.UNKNOWN, hint.UNKNOWN)
    assert.equal(retry.http_hint(503), hint.http_hint(503))
  end)

  it("protect reasons, their lists and the indexes", function()
    raises(function() imerr.reasons.unknown.class = "transient" end)
    raises(function() imerr.reasons.unknown = {} end)
    raises(function() imerr.reasons_list[1] = nil end)
    raises(function() imerr.index[70001] = {} end)
    raises(function() imerr.hint_index[70001] = {} end)
    assert.equal("fatal", imerr.reasons.unknown.class)
    assert.equal(imerr.lookup(70001), imerr.index[70001])
    assert.equal(imerr.lookup(70001).hint, imerr.hint_index[70001])
    assert.is_nil(imerr.index["70001"])
    assert.same({ "fatal", "unknown", "unknown code: 99999" },
      { retry.classify(99999) })
  end)

  it("protect their metatables", function()
    local row = imerr.lookup(9510)
    assert.equal("imerr: read-only table", getmetatable(row))
    assert.equal("imerr: read-only table", getmetatable(row.hint))
    raises(function() setmetatable(row, nil) end)
    raises(function() setmetatable(imerr.reasons, {}) end)
    assert.equal("ERR_SDK_NET_CONN_TIMEOUT", row.name)
  end)

  it("show nothing to rawget, on every Lua", function()
    local row = imerr.lookup(9510)
    assert.is_nil(rawget(row, "name"))
    assert.is_nil(rawget(row.hint, "class"))
    assert.is_nil(next(row))
    assert.equal(0, rawlen and rawlen(imerr.reasons_list) or 0)
  end)

  it("iterate with pairs and # on Lua 5.2+, and look empty on 5.1 and LuaJIT", function()
    local row = imerr.lookup(9510)
    local fields = {}
    for k, v in pairs(row) do fields[k] = v end
    if HAS_PAIRS then
      assert.equal("ERR_SDK_NET_CONN_TIMEOUT", fields.name)
      assert.equal(row.hint, fields.hint)
      assert.equal(#imerr.copy(imerr.reasons_list), #imerr.reasons_list)
      local n = 0
      for i, r in ipairs(imerr.reasons_list) do
        n = i
        assert.equal(imerr.reasons[r.name], r)
      end
      assert.equal(#imerr.reasons_list, n)
      -- The iterator's state is the view, never the private table.
      local _, state = pairs(row)
      assert.equal(row, state)
    else
      assert.same({}, fields)
      assert.equal(0, #imerr.reasons_list)
    end
  end)

  it("copy into plain tables on every Lua", function()
    local row = imerr.lookup(9506)
    local copy = assert(imerr.copy(row))
    assert.is_nil(getmetatable(copy))
    assert.is_nil(getmetatable(copy.hint))
    assert.equal(row.name, rawget(copy, "name"))
    assert.equal(0.2, rawget(copy.hint, "min_delay"))
    copy.hint.min_delay = 99
    assert.equal(0.2, row.hint.min_delay)
    local list = assert(imerr.copy(imerr.reasons_list))
    assert.equal("table", type(list[1]))
    assert.truthy(#list > 20)
    assert.same({ nil, "not a table imerr shares: table" }, { imerr.copy({}) })
    assert.same({ nil, "not a table imerr shares: nil" }, { imerr.copy() })
    assert.is_nil((imerr.copy(imerr.index)))
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

describe("imerr.hint", function()
  it("makes one read-only hint per reason and action", function()
    local h = assert(hint.reason_hint("timeout", "retry"))
    assert.equal(h, hint.reason_hint("timeout", "retry"))
    assert.equal("transient", h.class)
    assert.equal(504, h.http_status)
    assert.equal("none", hint.reason_hint("timeout").action)
    assert.equal(retry.reason_hint, hint.reason_hint)
    raises(function() h.action = "none" end)
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

  it("names the field of a refused write, whatever its type", function()
    local evil = setmetatable({}, { __tostring = function() error("no") end })
    local err = raises(function() imerr.lookup(0)[evil] = 1 end)
    assert.matches("cannot set field of type table", err, 1, true)
    err = raises(function() imerr.reasons_list[99] = 1 end)
    assert.matches("cannot set field 99", err, 1, true)
  end)
end)

describe("the functions added with read-only tables", function()
  local raising = setmetatable({}, { __index = function() error("index") end,
    __tostring = function() error("tostring") end,
    __eq = function() error("eq") end, __len = function() error("len") end })
  local BAD = { true, false, 0 / 0, math.huge, -math.huge, 2 ^ 63, -2 ^ 63, 1.5,
    "", "\0", ("x"):rep(1e6), "70001\0", {}, raising, print,
    coroutine.create(function() end), io.stdout, { class = raising }, { min_delay = {} } }

  it("never raise on bad input", function()
    local policy = assert(retry.policy {})
    for i = 0, #BAD do
      local v = BAD[i] -- BAD[0] is nil
      for name, f in pairs { copy = imerr.copy, of = hint.of,
        classify = hint.classify, resolve = private.resolve,
        reason_hint = hint.reason_hint, http_hint = hint.http_hint,
        next = function(x) return policy:next(x, 1, 0) end,
        index = function(x) return imerr.index[x] end,
        hint_index = function(x) return imerr.hint_index[x] end } do
        local ok, err = pcall(f, v)
        assert(ok, name .. "(#" .. i .. "): " .. tostring(err))
      end
      assert.is_nil((private.resolve(v)))
    end
  end)
end)

describe("a hint's link to its view", function()
  it("is skipped by copies and by pairs", function()
    local h = retry.hint(9510)
    local copy = imerr.copy(h)
    local n = 0
    for _ in pairs(copy) do n = n + 1 end
    assert.equal(7, n)
    if HAS_PAIRS then
      n = 0
      for k in pairs(h) do
        n = n + 1
        assert.equal("string", type(k))
        assert.is_nil(k:find("\0", 1, true))
      end
      assert.equal(7, n)
    end
  end)
end)

describe("what imerr keeps for its own modules", function()
  it("is not handed out by the public modules", function()
    for name, mod in pairs { hint = hint, retry = retry, budget =
      require "imerr.budget", store = store, rest = rest } do
      for _, key in ipairs { "resolve", "positive_number", "number",
        "finite" } do
        assert.is_nil(rawget(mod, key), name .. "." .. key)
      end
    end
  end)

  it("keeps the REST catalogue whole whatever a caller writes", function()
    local row = assert(api.get("v4/openim/sendmsg"))
    row.idempotent, row.rate = true, 1e9
    row.items[1] = nil
    assert.is_false(api.get("v4/openim/sendmsg").idempotent)
    assert.equal(200, api.get("v4/openim/sendmsg").rate)
    local attempts = assert(retry.policy {}:start { api = "v4/openim/sendmsg" })
    assert.equal(nil, (attempts:next(retry.http_hint(504))))
    local _, why = attempts:next(retry.http_hint(504))
    assert.equal("ambiguous", why)
    assert.is_false(imerr.lookup(9510).hint.ambiguous)
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
