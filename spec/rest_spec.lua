local rest = require "imerr.rest"
local cjson = require "cjson"

describe("rest.check", function()
  it("passes an OK answer through", function()
    local body = '{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"",' ..
      '"RequestId":"Id-1","MsgTime":1,"MsgKey":"k"}'
    local answer, failures = rest.check(body)
    assert.equal("OK", answer.ActionStatus)
    assert.equal("k", answer.MsgKey)
    assert.is_nil(failures)
    local t = { ActionStatus = "OK", ErrorCode = 0 }
    assert.equal(t, rest.check(t))
  end)

  it("turns a FAIL answer into an error with its hint", function()
    local body = '{"ActionStatus":"FAIL","ErrorCode":70001,' ..
      '"ErrorInfo":"UserSig expired","RequestId":"Id-42"}'
    local ok, err = rest.check(body)
    assert.is_nil(ok)
    assert.same({
      code = 70001, name = "ERR_SVR_ACCOUNT_USERSIG_EXPIRED",
      info = "UserSig expired", request_id = "Id-42", class = "fatal",
      reason = "auth", action = "relogin", http_status = 401,
      severity = "warning", min_delay = 0, ambiguous = false,
    }, err)
  end)

  it("classifies rate limits and unknown codes", function()
    local _, err = rest.check { ActionStatus = "FAIL", ErrorCode = 60007,
      ErrorInfo = "frequency limit" }
    assert.equal("transient", err.class)
    assert.equal("rate_limited", err.reason)
    assert.equal("reduce_rate", err.action)
    _, err = rest.check { ActionStatus = "FAIL", ErrorCode = 99999 }
    assert.equal(99999, err.code)
    assert.is_nil(err.name)
    assert.equal("unknown", err.reason)
  end)

  it("reports the failed items of a batch answer", function()
    local body = cjson.encode {
      ActionStatus = "OK", ErrorCode = 0, ErrorInfo = "",
      ErrorList = {
        { To_Account = "alice", ErrorCode = 70107, ErrorInfo = "no user" },
        { To_Account = "bob", ErrorCode = 20004, ErrorInfo = "net" },
        { To_Account = "carol", ErrorCode = 0 },
      },
    }
    local answer, failures = rest.check(body)
    assert.equal("OK", answer.ActionStatus)
    assert.equal(2, #failures)
    assert.equal("alice", failures[1].account)
    assert.equal(70107, failures[1].code)
    assert.equal("fatal", failures[1].class)
    assert.equal("not_found", failures[1].reason)
    assert.equal("bob", failures[2].account)
    assert.equal("transient", failures[2].class)
  end)

  it("keeps per-item failures on a failed batch, and odd items", function()
    local _, err = rest.check {
      ActionStatus = "FAIL", ErrorCode = 90011,
      ErrorList = { { Member_Account = "x", ErrorCode = 10019 }, "junk",
        { To_Account = "y", ErrorCode = "70001" } },
    }
    assert.equal(90011, err.code)
    assert.equal("too_large", err.reason)
    assert.equal(3, #err.failures)
    assert.equal("x", err.failures[1].account)
    assert.equal("bad_response", err.failures[2].reason)
    assert.equal("y", err.failures[3].account)
    assert.equal("bad_response", err.failures[3].reason)
  end)

  local junk = {
    { "nil", nil }, { "a number", 42 }, { "a boolean", true },
    { "the empty string", "" }, { "text", "Bad Gateway" },
    { "HTML", "<html><body>502</body></html>" },
    { "truncated JSON", '{"ActionStatus":"OK"' },
    { "a JSON array", "[1,2,3]" }, { "a JSON string", '"OK"' },
    { "JSON null", "null" }, { "an array table", { 1, 2 } },
    { "no ActionStatus and no ErrorCode", '{"ErrorInfo":"OK"}' },
    { "no ActionStatus and a string code", '{"ErrorCode":"0"}' },
    { "a wrong ActionStatus", '{"ActionStatus":"MAYBE","ErrorCode":1}' },
    { "ActionStatus of the wrong type", '{"ActionStatus":1}' },
    { "FAIL without a code", '{"ActionStatus":"FAIL"}' },
    { "FAIL with code 0", '{"ActionStatus":"FAIL","ErrorCode":0}' },
    { "FAIL with a string code", '{"ActionStatus":"FAIL","ErrorCode":"1"}' },
    { "FAIL with a fractional code",
      '{"ActionStatus":"FAIL","ErrorCode":1.5}' },
    { "FAIL with a huge code", '{"ActionStatus":"FAIL","ErrorCode":1e300}' },
    { "deeply nested JSON", ("["):rep(100000) .. ("]"):rep(100000) },
    { "deeply nested objects",
      ('{"a":'):rep(5000) .. "1" .. ("}"):rep(5000) },
    { "a NUL byte", '{"ActionStatus":"OK"}\0' },
  }
  for _, case in ipairs(junk) do
    it("returns nil and an error for " .. case[1], function()
      local ok, err = rest.check(case[2])
      assert.is_nil(ok)
      assert.equal("bad_response", err.reason)
      assert.equal("fatal", err.class)
      assert.equal(502, err.http_status)
      assert.is_string(err.info)
      assert.is_nil(err.code)
    end)
  end

  it("reports an answer that is OK with a non-zero code as failed", function()
    local ok, err = rest.check { ActionStatus = "OK", ErrorCode = 10010 }
    assert.is_nil(ok)
    assert.equal("not_found", err.reason)
  end)

  it("takes another decoder, and explains when none works", function()
    local ok, err = rest.check('{"x":1}', function() error("boom") end)
    assert.is_nil(ok)
    assert.truthy(err.info:find("boom", 1, true))
    local answer = rest.check("anything", function()
      return { ActionStatus = "OK" }
    end)
    assert.equal("OK", answer.ActionStatus)
  end)
end)

describe("rest without a JSON library", function()
  it("reads answers with its own reader", function()
    local saved = {}
    for _, name in ipairs { "cjson", "cjson.safe", "dkjson", "imerr.rest",
      "imerr._decode", "imerr._request" } do
      saved[name] = package.loaded[name]
      package.loaded[name] = nil
    end
    local function block(name)
      if name == "cjson" or name == "cjson.safe" or name == "dkjson" then
        return function() error("blocked") end
      end
    end
    table.insert(package.loaders or package.searchers, 1, block)
    local ok, plain = pcall(require, "imerr.rest")
    table.remove(package.loaders or package.searchers, 1)
    for name, mod in pairs(saved) do package.loaded[name] = mod end
    assert.truthy(ok, plain)
    assert.equal("OK", plain.check('{"ActionStatus":"OK"}').ActionStatus)
    local none, err = plain.check('{"ActionStatus":"FAIL","ErrorCode":70001}')
    assert.is_nil(none)
    assert.equal(70001, err.code)
    assert.equal("OK", plain.check({ ActionStatus = "OK" }).ActionStatus)
    assert.is_string(assert(plain.prepare("v4/openim/sendmsg", '{"MsgBody":[]}')).body)
  end)
end)

describe("rest.check on a catalogued list of the wrong type", function()

  it("reports it as a broken answer instead of a success", function()
    for _, body in ipairs {
      '{"ActionStatus":"OK","ErrorCode":0,"ResultItem":5}',
      '{"ActionStatus":"OK","ErrorCode":0,"ResultItem":[],"Fail_Account":"x"}',
    } do
      local answer, failures = rest.check(body, "v4/sns/friend_add")
      assert.is_table(answer)
      assert.equal(1, #failures, body)
      assert.equal("bad_response", failures[1].reason)
    end
    local answer, failures = rest.check(
      '{"ActionStatus":"OK","ErrorCode":0,"ResultItem":[]}', "v4/sns/friend_add")
    assert.is_table(answer)
    assert.is_nil(failures)
  end)
end)

-- The documented bounds, pinned as numbers: a change to them is a change
-- of the documented behaviour, not something a spec reads back.
describe("rest.check's documented bounds", function()
  it("cuts an ErrorInfo or RequestId to 512 bytes ending with ...", function()
    local long = ("x"):rep(600)
    local _, err = rest.check { ActionStatus = "FAIL", ErrorCode = 70001,
      ErrorInfo = long, RequestId = long }
    assert.equal(("x"):rep(509) .. "...", err.info)
    assert.equal(("x"):rep(509) .. "...", err.request_id)
    -- one byte over is cut too, and 512 bytes are kept whole
    _, err = rest.check { ActionStatus = "FAIL", ErrorCode = 70001,
      ErrorInfo = ("y"):rep(513), RequestId = ("z"):rep(512) }
    assert.equal(("y"):rep(509) .. "...", err.info)
    assert.equal(("z"):rep(512), err.request_id)
    assert.equal(512, rest.MAX_INFO)
  end)

  it("cuts a failed item's info the same way", function()
    local _, failures = rest.check { ActionStatus = "OK", ErrorCode = 0,
      ErrorList = { { To_Account = "a", ErrorCode = 70107,
        ErrorInfo = ("w"):rep(1000) } } }
    assert.equal(("w"):rep(509) .. "...", failures[1].info)
  end)

  it("reads 100000 list entries at most", function()
    local list = {}
    for i = 1, 100001 do list[i] = { To_Account = "a", ErrorCode = 70107 } end
    local _, failures = rest.check { ActionStatus = "OK", ErrorCode = 0,
      ErrorList = list }
    assert.equal(100001, #failures)
    assert.equal(70107, failures[100000].code)
    assert.equal(1, failures[100001].truncated)
    list[100001] = nil
    _, failures = rest.check { ActionStatus = "OK", ErrorCode = 0,
      ErrorList = list }
    assert.equal(100000, #failures)
    assert.is_nil(failures[100000].truncated)
  end)

  it("reads JSON 64 levels deep and refuses 65", function()
    local function nested(depth) -- the answer itself is level 1
      return '{"ActionStatus":"OK","ErrorCode":0,"Deep":' ..
        ('{"a":'):rep(depth - 2) .. "{}" .. ("}"):rep(depth - 2) .. "}"
    end
    assert.equal("OK", (rest.check(nested(64))).ActionStatus)
    local ok, err = rest.check(nested(65))
    assert.is_nil(ok)
    assert.equal("bad_response", err.reason)
    assert.matches("not JSON", err.info)
    assert.equal(64, rest.MAX_DEPTH)
  end)
end)

-- Without a catalogue row, rest.check looks for result lists: bounded by
-- the entries it looks at for a list's first object (16) and by depth (4).
describe("rest.check's search for result lists", function()
  local FAILED = { Member_Account = "m", ErrorCode = 70107 }

  -- An OK answer with a list of n - 1 strings, then FAILED.
  local function list_with_object_at(n)
    local list = {}
    for i = 1, n - 1 do list[i] = "s" .. i end
    list[n] = FAILED
    return { ActionStatus = "OK", ErrorCode = 0, Results = list }
  end

  it("finds a list's first object among its first 16 entries", function()
    local _, failures = rest.check(list_with_object_at(16))
    assert.equal(16, #failures)
    assert.same({ 70107, "m", "Results[]" }, { failures[16].code,
      failures[16].id, failures[16].list })
    -- the strings before it are items that cannot be read
    assert.equal("bad_response", failures[1].reason)
  end)

  it("takes a list whose first object comes later for no result list", function()
    local answer, failures = rest.check(list_with_object_at(17))
    assert.is_table(answer)
    assert.is_nil(failures)
  end)

  -- An OK answer with a result list `depth` objects down (the answer is
  -- depth 0): under keys A, B, C, ...
  local function nested(depth)
    local node = { { Member_Account = "m", ErrorCode = 70107 } }
    for d = depth, 1, -1 do node = { [string.char(64 + d)] = node } end
    node.ActionStatus, node.ErrorCode = "OK", 0
    return node
  end

  it("finds result lists down to depth 4, not below", function()
    for depth = 1, 4 do
      local _, failures = rest.check(nested(depth))
      assert.equal(1, failures and #failures, depth)
      assert.equal(70107, failures[1].code)
    end
    local _, failures = rest.check(nested(5))
    assert.is_nil(failures)
  end)

  -- Groups = [ { Members = [ FAILED ] } ] under depth - 1 objects: the
  -- list of groups is at depth `depth`, its members' list one below.
  local function groups_at(depth)
    local node = { Groups = { { Members = { FAILED } } } }
    for d = depth - 1, 1, -1 do node = { [string.char(64 + d)] = node } end
    node.ActionStatus, node.ErrorCode = "OK", 0
    return node
  end

  it("looks into the items of lists down to depth 3 for more lists", function()
    for depth = 1, 3 do
      local _, failures = rest.check(groups_at(depth))
      assert.equal(1, failures and #failures, depth)
      assert.same({ 70107, "m" }, { failures[1].code, failures[1].id })
    end
    local _, failures = rest.check(groups_at(4))
    assert.is_nil(failures)
  end)
end)

describe("rest.check on SomeError without an ErrorCode", function()
  local answer = { ActionStatus = "SomeError", ErrorInfo = "",
    ErrorList = { { To_Account = "a", ErrorCode = 70107 } } }

  it("is a partial success for batchsendmsg, and without an api", function()
    for _, path in ipairs { "v4/openim/batchsendmsg", false } do
      local ok, failures = rest.check(answer, path or nil)
      assert.equal(answer, ok)
      assert.equal(1, #failures)
      assert.same({ "a", 70107 }, { failures[1].id, failures[1].code })
    end
  end)

  it("is read like FAIL from an API that does not answer it", function()
    local ok, err = rest.check(answer, "v4/openim/sendmsg")
    assert.is_nil(ok)
    assert.equal("bad_response", err.reason)
  end)
end)
