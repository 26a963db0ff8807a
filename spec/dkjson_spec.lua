-- imerr.rest reads JSON with imerr.core's own reader: it needs neither
-- lua-cjson nor dkjson. A caller may still pass a decoder of its own, here
-- dkjson (Debian's lua-dkjson), and gets what that decoder gives.
local dkjson = require "dkjson"

-- A fresh imerr.rest loaded while `hidden` modules cannot be required and
-- `given` modules are what require returns; package state is restored.
local function load_rest(hidden, given)
  local names = { "cjson", "cjson.safe", "dkjson", "imerr.rest",
    "imerr._decode", "imerr._request" }
  local saved = {}
  for _, name in ipairs(names) do
    saved[name] = package.loaded[name]
    package.loaded[name] = nil
  end
  for name, mod in pairs(given) do package.loaded[name] = mod end
  local function block(name)
    if hidden[name] then return function() error(name .. " hidden") end end
  end
  local searchers = package.searchers or package.loaders
  table.insert(searchers, 1, block)
  local ok, rest = pcall(require, "imerr.rest")
  table.remove(searchers, 1)
  for _, name in ipairs(names) do package.loaded[name] = saved[name] end
  assert(ok, rest)
  return rest
end

describe("rest.check without cjson or dkjson", function()
  local rest
  setup(function()
    rest = load_rest({ cjson = true, ["cjson.safe"] = true, dkjson = true }, {})
  end)

  it("reads an OK answer", function()
    local answer, failures = rest.check('{"ActionStatus":"OK","ErrorCode":0,' ..
      '"ErrorInfo":"","RequestId":"r-1"}')
    assert.equal("OK", answer.ActionStatus)
    assert.equal("r-1", answer.RequestId)
    assert.is_nil(failures)
  end)

  it("reads a failed answer's code and request id", function()
    local answer, err = rest.check('{"ActionStatus":"FAIL","ErrorCode":70001,' ..
      '"ErrorInfo":"sig expired","RequestId":"r-2"}')
    assert.is_nil(answer)
    assert.equal(70001, err.code)
    assert.equal("ERR_SVR_ACCOUNT_USERSIG_EXPIRED", err.name)
    assert.equal("relogin", err.action)
    assert.equal("r-2", err.request_id)
  end)

  it("lists the failed items of a batch", function()
    local answer, failures = rest.check('{"ActionStatus":"OK","ErrorCode":0,' ..
      '"ErrorList":[{"To_Account":"a","ErrorCode":0},' ..
      '{"To_Account":"b","ErrorCode":20003}]}')
    assert.equal("OK", answer.ActionStatus)
    assert.equal(1, #failures)
    assert.equal("b", failures[1].account)
    assert.equal(20003, failures[1].code)
  end)

  it("turns text that is not JSON into bad_response with where", function()
    local answer, err = rest.check('{"ActionStatus":"OK",')
    assert.is_nil(answer)
    assert.equal("bad_response", err.reason)
    assert.truthy(err.info:find("^answer is not JSON: .* at byte 22$"), err.info)
  end)

  it("keeps JSON null apart from a missing ErrorCode", function()
    local answer, err = rest.check('{"ActionStatus":"FAIL","ErrorCode":null}')
    assert.is_nil(answer)
    assert.equal("bad_response", err.reason)
  end)

  it("answers deep nesting with bad_response, never an error", function()
    local deep = ("["):rep(200000) .. ("]"):rep(200000)
    local answer, err = rest.check('{"ActionStatus":"OK","X":' .. deep .. "}")
    assert.is_nil(answer)
    assert.equal("bad_response", err.reason)
  end)
end)

describe("rest.check with dkjson as the caller's decoder", function()
  local rest = require "imerr.rest"
  local calls = 0
  local function decode(text)
    calls = calls + 1
    local v, _, err = dkjson.decode(text, 1, nil)
    return v, err
  end

  it("decodes with it, and reads what it gives", function()
    local answer, failures = rest.check('{"ActionStatus":"OK","ErrorCode":0,' ..
      '"ErrorList":[{"To_Account":"b","ErrorCode":20003}]}', decode)
    assert.equal(1, calls)
    assert.equal("OK", answer.ActionStatus)
    assert.equal(20003, failures[1].code)
  end)

  it("turns its errors into bad_response with its message", function()
    local answer, err = rest.check('{"ActionStatus":"OK",', decode)
    assert.is_nil(answer)
    assert.equal("bad_response", err.reason)
    assert.truthy(err.info:find("^answer is not JSON: "), err.info)
  end)
end)
