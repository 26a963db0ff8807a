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
      { { token = CURRENT }, "unknown callback.verify option token" },
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
