-- One error convention: nil and err, where err is a string or a table
-- that prints as one bounded line (imerr._error).
local rest = require "imerr.rest"
local valid_utf8 = require "valid_utf8"

describe("imerr's error tables", function()
  local function fail(fields)
    local text = '{"ActionStatus":"FAIL"'
    for k, v in pairs(fields) do
      text = text .. ',"' .. k .. '":' ..
        (type(v) == "string" and '"' .. v .. '"' or tostring(v))
    end
    local ok, err = rest.check(text .. "}")
    assert.is_nil(ok)
    return err
  end

  it("print reason, code, name, info and request id on one line", function()
    local err = fail { ErrorCode = 70001, ErrorInfo = "UserSig expired",
      RequestId = "r-7" }
    local line = "auth [70001 ERR_SVR_ACCOUNT_USERSIG_EXPIRED] UserSig " ..
      "expired (request r-7)"
    assert.equal(line, tostring(err))
    assert.equal("failed: " .. line, "failed: " .. tostring(err))
    if _VERSION ~= "Lua 5.1" or rawget(_G, "jit") then
      assert.equal(line, ("%s"):format(err))
    end
  end)

  it("leave out what an error does not have", function()
    assert.equal("timeout [70169 ERR_SVR_ACCOUNT_INTERNAL_TIMEOUT] busy",
      tostring(fail { ErrorCode = 70169, ErrorInfo = "busy" }))
    local _, err = rest.check("")
    assert.equal("bad_response empty answer", tostring(err))
    _, err = rest.check({ ActionStatus = "OK" }, { nope = 1 })
    assert.equal('invalid unknown check option "nope"', tostring(err))
  end)

  it("stay one short line of valid UTF-8 whatever the answer holds", function()
    local err = fail { ErrorCode = 70001,
      ErrorInfo = ("x\\n\\r\\u0000"):rep(50000),
      RequestId = ("\\u00ff"):rep(100000) }
    local line = tostring(err)
    assert.truthy(#line <= 600, #line)
    assert.is_nil(line:find("%c"))
    assert.is_true(valid_utf8(line))
  end)

  it("are plain tables: every field is there for pairs and cjson", function()
    local err = fail { ErrorCode = 70001, ErrorInfo = "x", RequestId = "r" }
    local keys = {}
    for k in pairs(err) do keys[k] = true end
    for _, k in ipairs { "code", "name", "info", "request_id", "reason",
      "class", "action", "http_status", "severity" } do
      assert.is_true(keys[k], k)
    end
    local has, cjson = pcall(require, "cjson")
    if has then
      assert.equal(70001, cjson.decode(cjson.encode(err)).code)
    end
  end)

  it("print for every failed item too", function()
    local _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
      ResultItem = { { To_Account = "bob", ResultCode = 30010,
        ResultInfo = "full" } } }, "v4/sns/friend_add")
    assert.matches("^limit %[30010 [%u_]+%] full$", tostring(failures[1]))
  end)
end)
