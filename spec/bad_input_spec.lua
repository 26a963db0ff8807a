-- Every public Lua function, fed what no caller should send: each gives
-- its documented answer and none raises.
local imerr = require "imerr"
local retry = require "imerr.retry"
local rest = require "imerr.rest"
local callback = require "imerr.callback"
local matcher = require "imerr._matcher"
local alert = require "imerr.alert"

local function deep(n)
  local t = {}
  for _ = 1, n do t = { t } end
  return t
end

local BAD = {
  { "nil", nil }, { "true", true }, { "false", false },
  { "NaN", 0 / 0 }, { "inf", math.huge }, { "-inf", -math.huge },
  { "2^63", 2 ^ 63 }, { "-2^63", -(2 ^ 63) }, { "1e308", 1e308 },
  { "1.5", 1.5 }, { "-0.5", -0.5 },
  { "a huge string", ("9"):rep(1024 * 1024) },
  { "a huge string of spaces", (" "):rep(1024 * 1024) },
  { "a NUL string", "\0" }, { "NULs around a code", "\0" .. "70001\0" },
  { "a table", {} }, { "a deeply nested table", deep(100000) },
  { "a table with a metatable that raises",
    setmetatable({}, { __index = function() error("boom") end }) },
  { "a function", print }, { "a coroutine", coroutine.create(function() end) },
  { "userdata", io.stdout },
}

-- Calls f(value) and returns its results packed; fails if it raised.
local unpack = table.unpack or unpack

local function call(f, ...)
  local r = { pcall(f, ...) }
  assert.truthy(r[1], "raised: " .. tostring(r[2]))
  return { select(2, unpack(r, 1, 10)) }
end

local function assert_nil_msg(r)
  assert.is_nil(r[1])
  assert.is_string(r[2])
  assert.truthy(#r[2] < 300, "a short message")
end

for _, case in ipairs(BAD) do
  local name, v = case[1], case[2]
  describe("given " .. name, function()
    it("imerr lookups return nil and a message", function()
      for _, f in ipairs { imerr.lookup, imerr.name, imerr.message,
        imerr.to_code, imerr.code, imerr.lookup_name } do
        assert_nil_msg(call(f, v))
      end
    end)

    it("retry.classify says fatal, invalid", function()
      local r = call(retry.classify, v)
      assert.same({ "fatal", "invalid" }, { r[1], r[2] })
      assert.is_string(r[3])
    end)

    it("retry.hint and http_hint return nil and a message", function()
      assert_nil_msg(call(retry.hint, v))
      assert_nil_msg(call(retry.http_hint, v))
    end)

    it("policy:next refuses the code or the numbers", function()
      local p = retry.policy { deadline = 10 }
      assert.same({ nil, "fatal" }, call(p.next, p, v, 1, 0))
      local r = call(p.next, p, 9520, v, 0)
      assert.is_nil(r[1])
      assert.truthy(r[2] == "invalid" or r[2] == "max_attempts", r[2])
      r = call(p.next, p, 9520, 1, v)
      if v == 1.5 then
        assert.is_number(r[1])
        return
      end
      if v ~= nil then
        assert.is_nil(r[1])
        assert.truthy(r[2] == "invalid" or r[2] == "deadline", r[2])
      end
    end)

    it("retry.policy and retry.budget refuse it or still work", function()
      if v ~= nil and type(v) ~= "table" then
        assert_nil_msg(call(retry.policy, v))
        assert_nil_msg(call(retry.budget, v))
      end
      for _, key in ipairs { "max_attempts", "base", "throttle_base", "cap",
        "jitter", "deadline", "random" } do
        local r = call(retry.policy, { [key] = v })
        if r[1] then
          local d, why = r[1]:next(9520, 1, 0)
          assert.truthy(d == nil and type(why) == "string" or
            (d >= 0 and d <= 3600), key)
        else
          assert_nil_msg(r)
        end
      end
      for _, key in ipairs { "capacity", "cost", "timeout_cost", "refund",
        "key", "store", "shared" } do
        local r = call(retry.budget, { [key] = v })
        if r[1] then
          local b = r[1]
          local taken = call(b.take, b)[1]
          assert.truthy(taken == nil or taken > 0, key)
          assert.truthy(b:tokens() >= 0, key)
        else
          assert_nil_msg(r)
        end
      end
    end)

    it("a budget takes or refunds without raising", function()
      local b = retry.budget { capacity = 10 }
      call(b.take, b, v)
      call(b.success, b, v)
      assert.truthy(b:tokens() <= 10)
    end)

    it("rest.check returns nil and a bad_response error", function()
      local r = call(rest.check, v)
      assert.is_nil(r[1])
      assert.equal("bad_response", r[2].reason)
    end)

    it("callback.reject and encode return nil and a message", function()
      if v ~= nil then assert_nil_msg(call(callback.reject, v, "x")) end
      if type(v) ~= "string" and v ~= nil then
        assert_nil_msg(call(callback.reject, 120001, v))
      end
      if type(v) ~= "table" then assert_nil_msg(call(callback.encode, v)) end
    end)

    it("matchers refuse the spec, or match nothing", function()
      if type(v) ~= "table" then assert_nil_msg(call(matcher.new, v)) end
      assert_nil_msg(call(matcher.new, { reason = v == nil and {} or
        (type(v) == "table" and { v } or { {} }) }))
      local m = matcher.new { class = "fatal" }
      assert.same({ false }, call(m, v))
    end)

    it("alert rules refuse bad lists and bad times", function()
      if type(v) ~= "table" then assert_nil_msg(call(alert.rules, v)) end
      local rules = alert.rules { { name = "all", match = { class = "fatal" } } }
      assert.same({ {} }, call(rules.observe, rules, v, 1))
      assert_nil_msg(call(rules.observe, rules, 70001, v ~= 1e308 and
        type(v) ~= "number" and v or 0 / 0))
    end)
  end)
end
