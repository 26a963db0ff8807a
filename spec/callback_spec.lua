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
