-- imerr.callback: answers to Tencent's callbacks, their bounds, and
-- callback.verify.

do
local callback = require "imerr.callback"
local cjson = require "cjson"

describe("imerr.callback", function()
  it("builds allow, reject and drop answers", function()
    assert.same({ ActionStatus = "OK", ErrorCode = 0, ErrorInfo = "" },
      callback.allow())
    assert.same({ ActionStatus = "OK", ErrorCode = 1, ErrorInfo = "" },
      callback.reject())
    assert.same({ ActionStatus = "OK", ErrorCode = 1, ErrorInfo = "spam" },
      callback.reject("spam"))
    assert.same({ ActionStatus = "OK", ErrorCode = 2, ErrorInfo = "" },
      callback.drop())
    assert.are_not.equal(callback.allow(), callback.allow())
  end)

  it("rejects with an app code inside 120001..130000", function()
    assert.same({ ActionStatus = "OK", ErrorCode = 120001,
      ErrorInfo = "kids mode" }, callback.reject(120001, "kids mode"))
    assert.equal(130000, callback.reject(130000).ErrorCode)
    for _, bad in ipairs { 120000, 130001, 1, 2, 0, -120001, 125000.5,
      10099, 10201, 37999, 39001, 0 / 0, math.huge, {}, true } do
      local ans, err = callback.reject(bad, "x")
      assert.is_nil(ans)
      assert.truthy(err:find("10100..10200, 38000..39000, 120001..130000", 1,
        true), err)
    end
    local ans, err = callback.reject(120001, 42)
    assert.is_nil(ans)
    assert.truthy(err:find("ErrorInfo must be a string", 1, true))
  end)

  it("rejects with the group and friend callbacks' app codes", function()
    for _, code in ipairs { 10100, 10150, 10200, 38000, 38500, 39000 } do
      assert.equal(code, callback.reject(code, "no").ErrorCode)
    end
    assert.same({ { 10100, 10200 }, { 38000, 39000 }, { 120001, 130000 } },
      (function()
        local out = {}
        for i, r in ipairs(callback.APP_RANGES) do out[i] = { r[1], r[2] } end
        return out
      end)())
    local ans, err = callback.reject(10099, "no")
    assert.is_nil(ans)
    assert.truthy(err:find("got 10099", 1, true), err)
  end)

  it("encodes answers as JSON Tencent can read", function()
    local text = callback.encode(callback.reject(120777, 'say "no"\n'))
    assert.equal('{"ActionStatus":"OK","ErrorCode":120777,' ..
      '"ErrorInfo":"say \\"no\\"\\n"}', text)
    assert.same(callback.reject(120777, 'say "no"\n'), cjson.decode(text))
    assert.same(callback.allow(), cjson.decode(callback.ALLOW_JSON))
    assert.same(callback.drop(), cjson.decode(callback.DROP_JSON))
    local none, err = callback.encode("x")
    assert.is_nil(none)
    assert.is_string(err)
    -- Without an integer ErrorCode, Tencent would deliver the message.
    for _, ans in ipairs { {}, { ActionStatus = "OK" }, { ErrorCode = "1" },
      { ErrorCode = 1.5 } } do
      none, err = callback.encode(ans)
      assert.is_nil(none)
      assert.truthy(err:find("integer ErrorCode", 1, true), err)
    end
  end)

  it("encodes only an ErrorCode Tencent reads: a 32-bit signed integer", function()
    for _, code in ipairs { math.huge, -math.huge, 0 / 0, 2 ^ 60, 2 ^ 31,
      -2 ^ 31 - 1, 1e300 } do
      local text, err = callback.encode { ActionStatus = "OK", ErrorCode = code,
        ErrorInfo = "" }
      assert.is_nil(text, tostring(code))
      assert.truthy(err:find("integer ErrorCode in -2147483648..2147483647", 1,
        true), err)
    end
    for _, code in ipairs { 2 ^ 31 - 1, -2 ^ 31, 120001.0 } do
      local text = assert(callback.encode { ActionStatus = "OK", ErrorCode = code,
        ErrorInfo = "" })
      assert.equal(('{"ActionStatus":"OK","ErrorCode":%s,"ErrorInfo":""}'):format(
        ("%.0f"):format(code)), text)
      assert.equal(code, cjson.decode(text).ErrorCode)
    end
  end)

  it("refuses a field with no JSON value rather than write null", function()
    for _, bad in ipairs { { ErrorInfo = {} }, { ActionStatus = 0 / 0 },
      { ErrorInfo = math.huge } } do
      bad.ErrorCode = 0
      local text, err = callback.encode(bad)
      assert.is_nil(text)
      assert.is_string(err)
    end
  end)
end)

describe("imerr.callback's ErrorInfo bound", function()
  it("is 256 bytes, a cut text ending with ...", function()
    assert.equal(("y"):rep(253) .. "...",
      callback.reject(("y"):rep(300)).ErrorInfo)
    assert.equal(("z"):rep(253) .. "...",
      callback.reject(120001, ("z"):rep(257)).ErrorInfo)
    assert.equal(("w"):rep(256), callback.reject(("w"):rep(256)).ErrorInfo)
  end)
end)
end

do
-- imerr.callback answers stay bounded and valid JSON whatever the app
-- passes as ErrorInfo.
local callback = require "imerr.callback"

describe("imerr.callback ErrorInfo", function()
  it("is cut to MAX_INFO bytes", function()
    local ans = assert(callback.reject(120001, ("x"):rep(100000)))
    assert.truthy(#ans.ErrorInfo <= callback.MAX_INFO)
    assert.truthy(#callback.encode(ans) < callback.MAX_INFO + 100)
    ans = assert(callback.reject(("y"):rep(callback.MAX_INFO)))
    assert.equal(("y"):rep(callback.MAX_INFO), ans.ErrorInfo)
  end)

  it("is written as valid UTF-8 without raw control bytes", function()
    local text = callback.encode(assert(callback.reject(120002, "bad\255\n\0")))
    assert.equal('{"ActionStatus":"OK","ErrorCode":120002,' ..
      '"ErrorInfo":"bad\239\191\189\\n\\u0000"}', text)
    local ok, cjson = pcall(require, "cjson")
    if ok then
      assert.equal("bad\239\191\189\n\0", cjson.decode(text).ErrorInfo)
    end
  end)
end)

describe("imerr.callback's constants", function()
  it("are 256 bytes of ErrorInfo and the table's ranges, whatever a caller writes", function()
    assert.equal(256, callback.MAX_INFO)
    local saved, ranges = callback.MAX_INFO, callback.APP_RANGES
    callback.MAX_INFO = 10
    local first = ranges[1]
    ranges[1] = { 1, 2, "mine" }
    local ans = assert(callback.reject(("y"):rep(300)))
    local ok = callback.reject(120001)
    local one = callback.reject(1)
    callback.MAX_INFO, ranges[1] = saved, first
    assert.equal(256, #ans.ErrorInfo)
    assert.is_table(ok)
    assert.is_nil(one)
  end)
end)
end

do
-- callback.verify (lua/imerr/_callback_verify.lua): Tencent's Sign and
-- RequestTime on a callback's query string. Without imerr.sig_core
-- (IMERR_SIG_BUILT=OFF) spec/sig_spec.lua checks what a call says.
if os.getenv("IMERR_SIG_BUILT") == "OFF" then return end

local verify = require("imerr._callback_verify").verify
local sig = require "imerr.sig"

local CURRENT, PREVIOUS = "token-of-2026", "token-of-2025"
local NOW = 1770000000

-- The query arguments of a callback signed with token at time t.
local function args(token, t, over)
  local a = { SdkAppid = "1400000000",
    CallbackCommand = "C2C.CallbackBeforeSendMsg", contenttype = "json",
    ClientIP = "10.0.0.1", OptPlatform = "RESTAPI",
    RequestTime = tostring(t), Sign = sig.callback_sign(token, t) }
  for k, v in pairs(over or {}) do a[k] = v end
  return a
end

local function opts(over)
  local o = { tokens = { CURRENT, PREVIOUS }, sdkappid = 1400000000, now = NOW }
  for k, v in pairs(over or {}) do o[k] = v end
  return o
end

local function refused(reason, a, o)
  local ok, why = verify(a, o or opts())
  assert.is_nil(ok)
  assert.equal(reason, why)
end

describe("callback.verify", function()
  it("accepts the current and the previous token", function()
    assert.is_true(verify(args(CURRENT, NOW), opts()))
    assert.is_true(verify(args(PREVIOUS, NOW), opts()))
    assert.is_true(verify(args(CURRENT, NOW), opts { tokens = { CURRENT } }))
  end)

  it("refuses any other token, and the previous one once dropped", function()
    refused("bad_sign", args("token-of-2024", NOW))
    refused("bad_sign", args(PREVIOUS, NOW), opts { tokens = { CURRENT } })
    refused("bad_sign", args(CURRENT .. "x", NOW))
    refused("bad_sign", args(CURRENT:sub(1, -2), NOW))
  end)

  it("holds the window both ways: a clock ahead or behind", function()
    for _, dt in ipairs { -60, -1, 0, 1, 60 } do
      assert.is_true(verify(args(CURRENT, NOW + dt), opts()))
    end
    refused("stale", args(CURRENT, NOW - 61))
    refused("stale", args(CURRENT, NOW + 61))
    refused("stale", args(CURRENT, 0))
    assert.is_true(verify(args(CURRENT, NOW - 300), opts { window = 300 }))
    refused("stale", args(CURRENT, NOW - 11), opts { window = 10 })
    -- A fractional clock (ngx.now): the window is exact.
    assert.is_true(verify(args(CURRENT, NOW - 59), opts { now = NOW + 0.5 }))
    refused("stale", args(CURRENT, NOW - 60), opts { now = NOW + 0.5 })
    assert.is_true(verify(args(CURRENT, NOW + 60), opts { now = NOW + 0.5 }))
  end)

  it("refuses a callback without Sign or RequestTime: unsigned", function()
    local a = args(CURRENT, NOW)
    a.Sign = nil
    refused("unsigned", a)
    a = args(CURRENT, NOW)
    a.RequestTime = nil
    refused("unsigned", a)
    refused("unsigned", { SdkAppid = "1400000000" })
    refused("unsigned", {})
    refused("unsigned", nil)
    refused("unsigned", "Sign=x")
  end)

  it("refuses a Sign or RequestTime of the wrong form: bad_sign", function()
    local good = args(CURRENT, NOW)
    for _, over in ipairs {
      { Sign = { good.Sign, good.Sign } }, -- repeated
      { Sign = true },                     -- ?Sign without a value
      { Sign = "" },
      { Sign = good.Sign:upper() },        -- Tencent writes lowercase
      { Sign = good.Sign .. "0" },
      { Sign = good.Sign:sub(1, 63) },
      { RequestTime = { good.RequestTime, good.RequestTime } },
      { RequestTime = true },
      { RequestTime = "" },
      { RequestTime = " " .. good.RequestTime },
      { RequestTime = good.RequestTime .. ".0" },
      { RequestTime = "-1" },
      { RequestTime = "1e9" },
      { RequestTime = ("9"):rep(13) },
      { RequestTime = NOW },               -- a number: not from a query
    } do
      refused("bad_sign", args(CURRENT, NOW, over))
    end
    -- Leading zeros are digits Tencent could send: signed as they are.
    local t = "0" .. NOW
    assert.is_true(verify(args(CURRENT, NOW, { RequestTime = t,
      Sign = sig.callback_sign(CURRENT, t) }), opts()))
    refused("bad_sign", args(CURRENT, NOW, { RequestTime = t }))
  end)

  it("refuses another app's callback: wrong_app", function()
    refused("wrong_app", args(CURRENT, NOW, { SdkAppid = "1400000001" }))
    refused("wrong_app", args(CURRENT, NOW, { SdkAppid = { "1400000000" } }))
    refused("wrong_app", args(CURRENT, NOW, { SdkAppid = true }))
    refused("wrong_app", args(CURRENT, NOW, { SdkAppid = "1400000000x" }))
    refused("wrong_app", args(CURRENT, NOW, { SdkAppid = " 1400000000" }))
    local a = args(CURRENT, NOW)
    a.SdkAppid = nil
    refused("wrong_app", a)
    -- Without sdkappid in opts, SdkAppid is not looked at.
    local o = opts()
    o.sdkappid = nil
    assert.is_true(verify(a, o))
  end)

  it("checks in order: unsigned, wrong_app, stale, bad_sign", function()
    local a = args("forged", NOW - 1000, { SdkAppid = "1" })
    refused("wrong_app", a)
    a.SdkAppid = "1400000000"
    refused("stale", a)
    a.RequestTime = tostring(NOW)
    refused("bad_sign", a)
    a.Sign = nil
    a.SdkAppid = "1"
    refused("unsigned", a)
  end)

  it("uses the clock when now is not given", function()
    local o = opts()
    o.now = nil
    assert.is_true(verify(args(CURRENT, os.time()), o))
    refused("stale", args(CURRENT, os.time() - 3600), o)
  end)

  it("refuses bad options with a message, never a token", function()
    for _, case in ipairs {
      { { tokens = {} }, "tokens must be" },
      { { tokens = CURRENT }, "tokens must be" },
      { { tokens = { "" } }, "tokens must be" },
      { { tokens = { CURRENT, 7 } }, "tokens must be" },
      { { tokens = { CURRENT, PREVIOUS, "third" } }, "tokens must be" },
      { { tokens = { current = CURRENT } }, "tokens must be" },
      { { tokens = { ("t"):rep(1025) } }, "tokens must be" },
      { { sdkappid = "1400000000" }, "sdkappid must be" },
      { { sdkappid = 0 }, "sdkappid must be" },
      { { window = 0 }, "window must be" },
      { { window = 3601 }, "window must be" },
      { { window = 0 / 0 }, "window must be" },
      { { now = "now" }, "now must be" },
      { { now = -5 }, "now must be" },
      { { token = CURRENT }, 'unknown callback.verify option "token"' },
      { { [CURRENT] = true }, "unknown callback.verify option of type string" },
    } do
      local ok, err = verify(args(CURRENT, NOW), opts(case[1]))
      assert.is_nil(ok)
      assert.truthy(err:find(case[2], 1, true), err)
      assert.falsy(err:find(CURRENT, 1, true), err)
      assert.falsy(err:find(PREVIOUS, 1, true), err)
    end
    assert.same({ nil, "callback.verify options must be a table" },
      { verify(args(CURRENT, NOW)) })
  end)

  it("never raises on what a query can hold", function()
    local values = { true, "", "x", ("9"):rep(64), { "a", "b" }, {}, "\0",
      ("a"):rep(100000) }
    local names = { "Sign", "RequestTime", "SdkAppid" }
    for _, n1 in ipairs(names) do
      for _, v in ipairs(values) do
        local a = args(CURRENT, NOW, { [n1] = v })
        local ok, why = verify(a, opts())
        assert.is_nil(ok)
        assert.truthy(why == "bad_sign" or why == "wrong_app" or
          why == "stale", why)
      end
    end
  end)
end)

describe("callback.verify", function()
  it("is imerr._callback_verify's check, handed out by imerr.callback", function()
    assert.equal(require("imerr._callback_verify").verify,
      require("imerr.callback").verify)
  end)
end)
end
