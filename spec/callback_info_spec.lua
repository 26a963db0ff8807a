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
