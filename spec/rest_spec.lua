-- imerr.rest: reading REST answers, every shape, the published examples,
-- the bounds on what an answer can make it do, and imerr's own JSON reader.

-- Tencent's published answer examples and their manifest (expected.lua),
-- read by two blocks below.
local DIR = (debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./") ..
  "fixtures/rest/"
local expected = dofile(DIR .. "expected.lua")

-- A fixture's text, or nil and why.
local function read(name)
  local f, err = io.open(DIR .. name, "rb")
  if not f then return nil, err end
  local text = f:read("*a")
  f:close()
  return text
end

do
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

  it("refuses a NUL byte with and without a decoder of the caller's", function()
    local called = false
    for _, decode in ipairs { false, function() called = true return {} end } do
      local ok, err = rest.check('{"ActionStatus":"OK"}\0', decode or nil)
      assert.is_nil(ok)
      assert.equal("bad_response", err.reason)
      assert.equal("answer has a NUL byte", err.info)
    end
    assert.is_false(called)
  end)

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
end

do
-- rest.check on every per-item answer shape Tencent's REST pages show,
-- with and without the API's path.
local rest = require "imerr.rest"
local api = require "imerr.api"
local retry = require "imerr.retry"

local function ok_answer(t)
  t.ActionStatus, t.ErrorCode, t.ErrorInfo = "OK", 0, ""
  return t
end

-- The failures of a check as {id, code} pairs, in order.
local function items(failures)
  local out = {}
  for i, f in ipairs(failures or {}) do out[i] = { id = f.id, code = f.code } end
  return out
end

describe("rest.check reads per-item results", function()
  local cases = {
    { "ResultItem[].ResultCode @ To_Account", "v4/sns/black_list_delete",
      ok_answer { ResultItem = {
        { To_Account = "a", ResultCode = 0, ResultInfo = "" },
        { To_Account = "b", ResultCode = 30006, ResultInfo = "busy" } } },
      { { id = "b", code = 30006 } } },
    { "ResultItem[].ResultCode @ UserID", "v4/im_open_login_svc/account_delete",
      ok_answer { ResultItem = { { UserID = "u1", ResultCode = 70107,
        ResultInfo = "does not exist" }, { UserID = "u2", ResultCode = 0 } } },
      { { id = "u1", code = 70107 } } },
    { "InfoItem[]", "v4/sns/friend_check",
      ok_answer { InfoItem = { { To_Account = "x", Relation = "CheckResult_Type_Both",
        ResultCode = 0 }, { To_Account = "y", ResultCode = 30001 } } },
      { { id = "y", code = 30001 } } },
    { "BlackListCheckItem[]", "v4/sns/black_list_check",
      ok_answer { BlackListCheckItem = { { To_Account = "z", ResultCode = 30007 } } },
      { { id = "z", code = 30007 } } },
    { "UserProfileItem[] and Fail_Account[] naming the same id",
      "v4/profile/portrait_get",
      ok_answer { UserProfileItem = { { To_Account = "p1", ProfileItem = {},
        ResultCode = 0 }, { To_Account = "p2", ResultCode = 40006 } },
        Fail_Account = { "p2", "p3" } },
      { { id = "p2", code = 40006 }, { id = "p3" } } },
    { "GroupInfo[].ErrorCode @ GroupId", "v4/group_open_http_svc/get_group_info",
      ok_answer { GroupInfo = { { GroupId = "@TGS#1", ErrorCode = 0, Name = "g" },
        { GroupId = "@TGS#2", ErrorCode = 10010, ErrorInfo = "gone" } } },
      { { id = "@TGS#2", code = 10010 } } },
    { "RecallRetList[].RetCode @ MsgSeq (a number)",
      "v4/group_open_http_svc/group_msg_recall",
      ok_answer { RecallRetList = { { MsgSeq = 100, RetCode = 10030 },
        { MsgSeq = 101, RetCode = 0 } } },
      { { id = 100, code = 10030 } } },
    { "GroupMsgReceiptList[].Code", "v4/group_open_http_svc/get_group_msg_receipt",
      ok_answer { GroupMsgReceiptList = { { MsgSeq = 1, Code = 0, ReadNum = 1 },
        { MsgSeq = 2, Code = 10004 } } },
      { { id = 2, code = 10004 } } },
    { "ExtensionList[].ErrorCode @ Extension.Key",
      "v4/openim_msg_ext_http_svc/set_key_values",
      ok_answer { ExtensionList = {
        { ErrorCode = 0, Extension = { Key = "k1", Value = "v", Seq = 1 } },
        { ErrorCode = 30001, Extension = { Key = "k2", Seq = 2 } } } },
      { { id = "k2", code = 30001 } } },
    { "DestroyResultItem[] @ TopicId", "v4/million_group_open_http_svc/destroy_topic",
      ok_answer { DestroyResultItem = { { TopicId = "t1", ErrorCode = 10010 } } },
      { { id = "t1", code = 10010 } } },
    { "TopicAndSelfInfo[] @ TopicInfo.TopicId",
      "v4/million_group_open_http_svc/get_topic",
      ok_answer { TopicAndSelfInfo = { { TopicInfo = { TopicId = "t2" },
        ErrorCode = 10010 }, { TopicInfo = { TopicId = "t3" }, ErrorCode = 0 } } },
      { { id = "t2", code = 10010 } } },
    { "GroupResultItem[].ResultItem[] (nested lists)",
      "v4/recentcontact/create_contact_group",
      ok_answer { GroupResultItem = { { GroupName = "g", GroupId = 1, ResultItem = {
        { ContactItem = { Type = 1, To_Account = "c1" }, ResultCode = 0 },
        { ContactItem = { Type = 2, ToGroupId = "@TGS#g" }, ResultCode = 50001 } } } } },
      { { id = "@TGS#g", code = 50001 } } },
    { "UpdateGroupResult.ContactResultItem[]", "v4/recentcontact/update_contact_group",
      ok_answer { UpdateGroupResult = { UpdateType = 2, ContactResultItem = {
        { ContactItem = { Type = 1, To_Account = "c2" }, ResultCode = 50002 } } } },
      { { id = "c2", code = 50002 } } },
    { "ResultItem[] @ ContactItem.To_Account", "v4/recentcontact/mark_contact",
      ok_answer { ResultItem = { { ContactItem = { Type = 1, To_Account = "c3" },
        ResultCode = 50001 } } },
      { { id = "c3", code = 50001 } } },
    { "ErrorList[] @ Peer_Account", "v4/openim/get_c2c_unread_msg_num",
      ok_answer { ErrorList = { { Peer_Account = "p", ErrorCode = 70107 } } },
      { { id = "p", code = 70107 } } },
    { "FailAccounts[] (bare ids)", "v4/im_open_login_svc/multiaccount_import",
      ok_answer { FailAccounts = { "f1", "f2" } }, { { id = "f1" }, { id = "f2" } } },
    { "Invalid_Account[] and Fail_Account[] (each id once)", "v4/sns/friend_import",
      ok_answer { ResultItem = { { To_Account = "i1", ResultCode = 30002 } },
        Fail_Account = { "i1" }, Invalid_Account = { "i2", "i1" } },
      { { id = "i1", code = 30002 }, { id = "i2" } } },
  }
  for _, case in ipairs(cases) do
    it(case[1], function()
      local answer, failures = rest.check(case[3], case[2])
      assert.equal(case[3], answer)
      assert.same(case[4], items(failures))
      for _, f in ipairs(failures) do
        assert.is_string(f.class)
        assert.is_string(f.reason)
        assert.is_boolean(f.ambiguous)
        assert.is_string(f.list)
      end
      -- Without the path the same lists are found on their own.
      local _, found = rest.check(case[3])
      assert.same(case[4], items(found))
    end)
  end

  it("reads Result of add_group_member as a status: only 0 failed", function()
    local body = ok_answer { MemberList = {
      { Member_Account = "m0", Result = 0 }, { Member_Account = "m1", Result = 1 },
      { Member_Account = "m2", Result = 2 }, { Member_Account = "m3", Result = 3 } } }
    for _, path in ipairs { "v4/group_open_http_svc/add_group_member",
      "v4/group_open_http_svc/import_group_member" } do
      local answer, failures = rest.check(body, path)
      assert.equal(body, answer)
      assert.same({ { id = "m0" } }, items(failures))
      assert.equal(0, failures[1].status)
      assert.equal("MemberList[]", failures[1].list)
    end
    -- Without the path Result means nothing.
    local answer, failures = rest.check(body)
    assert.equal(body, answer)
    assert.is_nil(failures)
  end)

  it("reads Result of import_group_msg as an error code", function()
    local body = ok_answer { ImportMsgResult = {
      { MsgSeq = 1, MsgTime = 2, Result = 0 }, { MsgSeq = 2, Result = 10004 },
      { MsgSeq = 3, Result = 80002 } } }
    local _, failures = rest.check(body, { api = "v4/group_open_http_svc/import_group_msg" })
    assert.same({ { id = 2, code = 10004 }, { id = 3, code = 80002 } }, items(failures))
    assert.equal("too_large", failures[2].reason)
  end)

  it("reads only what the catalogue names for a catalogued API", function()
    -- group_get's ResultItem[] has no code: nothing to report.
    local body = ok_answer { ResultItem = { { GroupName = "g", FriendNumber = 1 } } }
    local answer, failures = rest.check(body, "v4/sns/group_get")
    assert.equal(body, answer)
    assert.is_nil(failures)
  end)

  it("turns broken items into bad_response failures, keeping their ids", function()
    local _, failures = rest.check(ok_answer { ResultItem = {
      { To_Account = "a", ResultCode = "30001" }, "junk", { To_Account = "b" } } },
      "v4/sns/friend_add")
    assert.equal(3, #failures)
    for _, f in ipairs(failures) do assert.equal("bad_response", f.reason) end
    assert.equal("a", failures[1].id)
    assert.is_nil(failures[2].id)
    assert.equal("b", failures[3].id)
    _, failures = rest.check(ok_answer { MemberList = { { Member_Account = "m" } } },
      "v4/group_open_http_svc/add_group_member")
    assert.equal("bad_response", failures[1].reason)
  end)

  it("never raises on junk where lists belong", function()
    local junk = { 1, "x", true, { 1, 2 }, { { {} } }, { a = { b = { c = {} } } } }
    for path in api.each() do
      for _, v in ipairs(junk) do
        local body = ok_answer { ResultItem = v, GroupResultItem = v, MemberList = v,
          UpdateGroupResult = v, Fail_Account = v, FailAccounts = v, ErrorList = v,
          TopicAndSelfInfo = v, ExtensionList = v, MsgDropReason = v }
        local ok, answer = pcall(rest.check, body, path)
        assert.is_true(ok, answer)
        ok, answer = pcall(rest.check, body)
        assert.is_true(ok, answer)
      end
    end
  end)
end)

describe("rest.check reads the top level", function()
  it("takes SomeError as a partial success", function()
    local body = '{"ActionStatus":"SomeError","ErrorInfo":"","ErrorCode":0,' ..
      '"ErrorList":[{"To_Account":"rong","ErrorCode":70107}]}'
    for _, path in ipairs { "v4/openim/batchsendmsg", false } do
      local answer, failures = rest.check(body, path or nil)
      assert.equal("SomeError", answer.ActionStatus)
      assert.same({ { id = "rong", code = 70107 } }, items(failures))
    end
  end)

  it("takes FAIL with an ErrorList and no ErrorCode from the first item", function()
    local ok, err = rest.check({ ActionStatus = "FAIL", ErrorInfo = "all failed",
      ErrorList = { { To_Account = "a", ErrorCode = 70107 },
        { To_Account = "b", ErrorCode = 70169 } } }, "v4/openim/batchsendmsg")
    assert.is_nil(ok)
    assert.equal(70107, err.code)
    assert.equal("all failed", err.info)
    assert.same({ { id = "a", code = 70107 }, { id = "b", code = 70169 } },
      items(err.failures))
    ok, err = rest.check { ActionStatus = "FAIL", ErrorList = { "junk" } }
    assert.is_nil(ok)
    assert.equal("bad_response", err.reason)
  end)

  it("reads the openconfigsvr answers, which have no ActionStatus", function()
    local path = "v4/openconfigsvr/getnospeaking"
    local answer = rest.check('{"ErrorCode":0,"ErrorInfo":"","C2CmsgNospeakingTime":0}',
      path)
    assert.equal(0, answer.C2CmsgNospeakingTime)
    local ok, err = rest.check({ ErrorCode = 130002, ErrorInfo = "no such account" }, path)
    assert.is_nil(ok)
    assert.equal(130002, err.code)
    ok, err = rest.check({ ErrorInfo = "?" }, path)
    assert.is_nil(ok)
    assert.equal("bad_response", err.reason)
    -- Any other API still needs its ActionStatus.
    ok, err = rest.check({ ErrorCode = 0 }, "v4/openim/sendmsg")
    assert.is_nil(ok)
    assert.equal("bad_response", err.reason)
  end)

  it("trusts each group of get_group_info over the top-level code", function()
    local body = { ActionStatus = "FAIL", ErrorCode = 10002, ErrorInfo = "meaningless",
      GroupInfo = { { GroupId = "g", ErrorCode = 10007 } } }
    local answer, failures = rest.check(body, "v4/group_open_http_svc/get_group_info")
    assert.equal(body, answer)
    assert.same({ { id = "g", code = 10007 } }, items(failures))
    -- Without its list the FAIL stands.
    local ok, err = rest.check({ ActionStatus = "FAIL", ErrorCode = 10002 },
      "v4/group_open_http_svc/get_group_info")
    assert.is_nil(ok)
    assert.equal(10002, err.code)
  end)

  it("reports a group message dropped by frequency control", function()
    local body = ok_answer { MsgTime = 1, MsgSeq = 7, MsgDropReason = "MsgFreqCtrl" }
    for _, path in ipairs { "v4/group_open_http_svc/send_group_msg", false } do
      local answer, failures = rest.check(body, path or nil)
      assert.equal(body, answer)
      assert.equal(1, #failures)
      local f = failures[1]
      assert.equal("MsgFreqCtrl", f.dropped)
      assert.equal(7, f.id)
      assert.is_nil(f.code)
      assert.equal("rate_limited", f.reason)
      assert.equal("transient", f.class)
      assert.is_false(f.ambiguous)
    end
    local _, failures = rest.check(ok_answer { MsgDropReason = "Other" })
    assert.equal("unknown", failures[1].reason)
    _, failures = rest.check(ok_answer { MsgDropReason = "" })
    assert.is_nil(failures)
  end)

  it("takes the api as a path, a table with a decoder, or a decoder", function()
    local text = '{"ActionStatus":"OK","ErrorCode":0,"MemberList":' ..
      '[{"Member_Account":"m","Result":0}]}'
    local path = "/v4/group_open_http_svc/add_group_member?sdkappid=1"
    local _, failures = rest.check(text, path)
    assert.equal("m", failures[1].id)
    local seen
    local function decode(t)
      seen = t
      return require("cjson.safe").decode(t)
    end
    _, failures = rest.check(text, { api = path, decode = decode })
    assert.equal("m", failures[1].id)
    assert.equal(text, seen)
    assert.is_table(rest.check(text, decode))
    -- An API the catalogue lacks: lists are found on their own.
    local answer
    answer, failures = rest.check(text, "v4/not/catalogued")
    assert.is_table(answer)
    assert.is_nil(failures)
  end)

  it("answers invalid options with an error table, never raising", function()
    for _, bad in ipairs { 42, true, { api = 1 }, { decode = "cjson" } } do
      local ok, err = rest.check("{}", bad)
      assert.is_nil(ok)
      assert.equal("invalid", err.reason)
      assert.truthy(err.info:find("check options", 1, true))
    end
  end)

  it("marks cut answers and timeouts ambiguous, refusals not", function()
    local _, err = rest.check('{"ActionStatus":"OK","ErrorCo')
    assert.is_true(err.ambiguous)
    _, err = rest.check { ActionStatus = "FAIL", ErrorCode = 70169 }
    assert.is_true(err.ambiguous)
    _, err = rest.check { ActionStatus = "FAIL", ErrorCode = 60007 }
    assert.is_false(err.ambiguous)
    local p = retry.policy { idempotent = false }
    _, err = rest.check { ActionStatus = "FAIL", ErrorCode = 70169 }
    assert.same({ nil, "ambiguous" }, { p:next(err, 1) })
  end)
end)

describe("rest.check on hostile answers", function()
  it("survives NaN ids, metatables and random junk in every API", function()
    local nan = 0 / 0
    local hostile = setmetatable({ ActionStatus = "OK", ErrorCode = 0,
      Fail_Account = { nan, "a", 1.5, math.huge },
      ResultItem = { { To_Account = nan, ResultCode = 30001 }, { MsgSeq = nan, ResultCode = 1 } },
      ErrorList = setmetatable({ { ErrorCode = nan } }, { __index = error, __len = error }),
    }, { __pairs = error, __index = error })
    local seed = 7
    local function rand(n)
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n + 1
    end
    local leaves = { 0, 1, -1, nan, 1e300, "", "x", true, false }
    local names = { "ResultItem", "ErrorList", "MemberList", "Result", "ResultCode",
      "ErrorCode", "Code", "RetCode", "To_Account", "Fail_Account", "GroupInfo",
      "ContactItem", "Extension", "Key", "MsgSeq", "ActionStatus", "FailAccounts" }
    local function junk(depth)
      if depth > 3 or rand(3) == 1 then return leaves[rand(#leaves)] end
      local t = {}
      for _ = 1, rand(4) do
        if rand(2) == 1 then t[#t + 1] = junk(depth + 1)
        else t[names[rand(#names)]] = junk(depth + 1) end
      end
      return t
    end
    for path in api.each() do
      local ok, err = pcall(rest.check, hostile, path)
      assert.is_true(ok, err)
      for _ = 1, 20 do
        local body = junk(0)
        if type(body) == "table" then body.ActionStatus = "OK" end
        ok, err = pcall(rest.check, body, path)
        assert.is_true(ok, err)
        ok, err = pcall(rest.check, body)
        assert.is_true(ok, err)
      end
    end
    local answer, failures = rest.check(hostile, "v4/sns/friend_add")
    assert.equal(hostile, answer)
    -- A NaN or infinite id is no id (no JSON encoder writes one): in an
    -- item the failure has no id; in a bare list, where the id is all there
    -- is, the entry cannot be read. "a" and 1.5 (finite) are bare failures.
    assert.equal(6, #failures)
    assert.is_nil(failures[1].id)
    assert.equal(30001, failures[1].code)
    assert.is_nil(failures[2].id)
    assert.is_nil(failures[3].id)
    assert.equal("bad_response", failures[3].reason)
    assert.equal("a", failures[4].id)
    assert.equal(1.5, failures[5].id)
    assert.is_nil(failures[6].id)
    assert.equal("bad_response", failures[6].reason)
  end)
end)

describe("rest.check on lists of the wrong JSON type", function()
  -- The catalogue's item lists, each sent as a JSON object: what was a list of
  -- failed items must not read as an empty list.
  it("reads a list sent as an object as a bad_response failure", function()
    for _, case in ipairs {
      { "v4/sns/black_list_delete", "ResultItem",
        '{"To_Account":"b","ResultCode":30006,"ResultInfo":"busy"}' },
      { "v4/profile/portrait_get", "Fail_Account", '{"a":"p3"}' },
      { "v4/group_open_http_svc/add_group_member", "MemberList",
        '{"Member_Account":"m0","Result":0}' },
      { "v4/openim/get_c2c_unread_msg_num", "ErrorList",
        '{"Peer_Account":"p","ErrorCode":70107}' },
      { "v4/openim/querystate", "ErrorList", '{"0":{"To_Account":"q","ErrorCode":70107}}' },
    } do
      local text = ('{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","%s":%s}'):format(
        case[2], case[3])
      for _, path in ipairs { case[1], false } do
        local answer, failures = rest.check(text, path or nil)
        assert.is_table(answer)
        assert.is_table(failures, case[2])
        assert.equal(1, #failures, case[2])
        assert.equal("bad_response", failures[1].reason)
        assert.equal(case[2] .. "[]", failures[1].list)
        assert.truthy(failures[1].info:find(case[2], 1, true))
      end
    end
  end)

  it("checks every list of every catalogued API, at every step", function()
    local object = { Junk = { ResultCode = 30001, ErrorCode = 30001, Result = 0 } }
    local n = 0
    for path, row in api.each() do
      for _, spec in ipairs(row.items) do
        -- Break the list at each step in turn: an object where a list goes,
        -- a list where an object goes; every step before it holds one item.
        for s = 1, #spec.path do
          local function at(k)
            if k == s then return spec.arrays[k] and object or { object } end
            local child = { [spec.path[k + 1]] = at(k + 1) }
            if spec.arrays[k] then return { child } end
            return child
          end
          local body = ok_answer { [spec.path[1]] = at(1) }
          local _, failures = rest.check(body, path)
          assert.is_table(failures, path .. " " .. spec.text .. " step " .. s)
          local bad = false
          for _, f in ipairs(failures) do
            if f.reason == "bad_response" and f.list == spec.name then bad = true end
          end
          assert.is_true(bad, path .. " " .. spec.text .. " step " .. s)
          n = n + 1
        end
      end
    end
    assert.truthy(n >= 40, n)
  end)

  it("reads an item of an outer list that is no object as bad_response", function()
    local _, failures = rest.check(ok_answer { GroupResultItem = { "junk" } },
      "v4/recentcontact/create_contact_group")
    assert.equal(1, #failures)
    assert.equal("bad_response", failures[1].reason)
  end)

  it("reads {} and [] alike as an empty list", function()
    for _, empty in ipairs { "{}", "[]" } do
      for _, name in ipairs { "ResultItem", "Fail_Account", "ErrorList" } do
        local text = ('{"ActionStatus":"OK","ErrorCode":0,"%s":%s}'):format(name, empty)
        for _, path in ipairs { "v4/sns/friend_add", "v4/openim/query_online_status",
          false } do
          local answer, failures = rest.check(text, path or nil)
          assert.is_table(answer)
          assert.is_nil(failures, name .. empty)
        end
      end
    end
  end)

  it("reads a list with string keys as no list", function()
    local mixed = { { To_Account = "a", ResultCode = 0 }, To_Account = "b",
      ResultCode = 30001 }
    local _, failures = rest.check(ok_answer { ResultItem = mixed }, "v4/sns/friend_add")
    assert.equal(1, #failures)
    assert.equal("bad_response", failures[1].reason)
    _, failures = rest.check(ok_answer { Fail_Account = { "a", x = "b" } },
      "v4/sns/friend_add")
    assert.equal("bad_response", failures[1].reason)
  end)

  it("keeps a FAIL of get_group_info whose groups cannot be read", function()
    local ok, err = rest.check({ ActionStatus = "FAIL", ErrorCode = 10002,
      GroupInfo = { GroupId = "g", ErrorCode = 10007 } },
      "v4/group_open_http_svc/get_group_info")
    assert.is_nil(ok)
    assert.equal(10002, err.code)
    assert.equal("bad_response", err.failures[1].reason)
  end)
end)

describe("rest.check on SomeError", function()
  local function some_error(code, list)
    return { ActionStatus = "SomeError", ErrorCode = code, ErrorInfo = "some",
      RequestId = "r-1", ErrorList = list }
  end
  local good = { { To_Account = "rong", ErrorCode = 70107 } }

  it("reads SomeError with a non-zero ErrorCode as a failure, in any API", function()
    for _, path in ipairs { "v4/openim/sendmsg", "v4/openim/batchsendmsg",
      "v4/not/catalogued", false } do
      for _, list in ipairs { false, good } do
        local ok, err = rest.check(some_error(70001, list or nil), path or nil)
        assert.is_nil(ok, tostring(path))
        assert.equal(70001, err.code)
        assert.equal("some", err.info)
        assert.equal("r-1", err.request_id)
      end
    end
    local ok, err = rest.check('{"ActionStatus":"SomeError","ErrorCode":70001}')
    assert.is_nil(ok)
    assert.equal(70001, err.code)
  end)

  it("takes SomeError as a partial success only where it is documented", function()
    -- batchsendmsg documents it; sendmsg does not.
    local answer, failures = rest.check(some_error(0, good), "v4/openim/batchsendmsg")
    assert.is_table(answer)
    assert.equal(70107, failures[1].code)
    local ok, err = rest.check(some_error(0, good), "v4/openim/sendmsg")
    assert.is_nil(ok)
    assert.equal("bad_response", err.reason)
    assert.truthy(err.info:find("does not answer it", 1, true), err.info)
    assert.equal("r-1", err.request_id)
  end)

  it("needs the failed items, all of them readable", function()
    for _, case in ipairs {
      { nil, "no failed item" }, { {}, "no failed item" },
      { { To_Account = "a", ErrorCode = 70107 }, "cannot all be read" },
      { { good[1], "junk" }, "cannot all be read" },
      { { { To_Account = "a", ErrorCode = "70107" } }, "cannot all be read" },
    } do
      for _, path in ipairs { "v4/openim/batchsendmsg", false } do
        local ok, err = rest.check(some_error(0, case[1]), path or nil)
        assert.is_nil(ok, case[2])
        assert.equal("bad_response", err.reason)
        assert.is_true(err.ambiguous)
        assert.truthy(err.info:find(case[2], 1, true), err.info)
      end
    end
  end)
end)

describe("rest.check on batches", function()
  it("reads items raw, with a metatable or without", function()
    local lying = { __index = { ErrorInfo = "from the metatable",
      To_Account = "nobody", ErrorCode = 20001 } }
    local answer = { ActionStatus = "OK", ErrorCode = 0, ErrorList = {
      setmetatable({ To_Account = "a", ErrorCode = 70107 }, lying),
      setmetatable({ ErrorCode = 70107, ErrorInfo = "x" },
        { __index = error, __metatable = false }),
      setmetatable({ To_Account = "c" }, lying),
      { To_Account = "d", ErrorCode = 70107, ErrorInfo = "y" },
    } }
    -- Catalogued, and found without the catalogue.
    for _, path in ipairs { "v4/openim/batchsendmsg", false } do
      local _, failed = assert(rest.check(answer, path or nil))
      assert.equal(4, #failed)
      assert.same({ "a", nil, "c", "d" },
        { failed[1].id, failed[2].id, failed[3].id, failed[4].id })
      assert.same({ nil, "x", "y" },
        { failed[1].info, failed[2].info, failed[4].info })
      assert.equal("a", failed[1].account)
      assert.equal(70107, failed[2].code)
      -- Its code is only in the metatable: no code at all.
      assert.equal("bad_response", failed[3].reason)
    end
  end)
end)
end

do
-- Tencent's published answer examples (spec/fixtures/rest) through
-- rest.check: for each, exactly the failed items its manifest lists, with
-- their ids and codes, and the right top-level outcome.
local rest = require "imerr.rest"
local api = require "imerr.api"

-- The failures as {id, code} pairs, without the dropped-message report.
local function pairs_of(failures)
  local out, dropped = {}, nil
  for _, f in ipairs(failures or {}) do
    if f.dropped then
      dropped = f.dropped
    else
      out[#out + 1] = { id = f.id, code = f.code }
    end
  end
  return out, dropped
end

local function want_pairs(e)
  local out = {}
  for i, f in ipairs(e.failures) do out[i] = { id = f.id, code = f.code } end
  return out
end

describe("rest.check on the published answer examples", function()
  local apis = {}
  for _, e in ipairs(expected) do
    apis[e.api] = true
    it(e.file .. " (" .. e.outcome .. ")", function()
      local answer, failures = rest.check(assert(read(e.file)), e.api)
      if e.outcome == "fail" then
        assert.is_nil(answer)
        local err = failures
        assert.is_table(err)
        assert.is_number(err.code, err.info)
        if e.top_code and e.top_code ~= 0 then
          assert.equal(e.top_code, err.code)
        end
        assert.same(want_pairs(e), (pairs_of(err.failures)))
      else
        assert.is_table(answer, failures and failures.info)
        local got, dropped = pairs_of(failures)
        assert.same(want_pairs(e), got)
        assert.equal(e.dropped, dropped)
        if e.outcome == "ok" and not e.dropped then
          assert.is_nil(failures)
        end
      end
    end)
  end

  it("covers every catalogued API with per-item results", function()
    local missing = {}
    for path, row in api.each() do
      if #row.items > 0 and not apis[path] then
        missing[#missing + 1] = path
      end
    end
    -- Pages that publish no answer with their per-item list.
    table.sort(missing)
    assert.same({}, missing)
  end)

  it("finds the same items without the api where an answer has an ActionStatus", function()
    for _, e in ipairs(expected) do
      local text = assert(read(e.file))
      if text:find('"ActionStatus"', 1, true) then
        local answer, failures = rest.check(text)
        if not answer then failures = failures.failures end
        assert.same(want_pairs(e), (pairs_of(failures)), e.file)
      end
    end
  end)

  it("reads the answers without an ActionStatus by their ErrorCode, without the api", function()
    local n = 0
    for _, e in ipairs(expected) do
      local text = assert(read(e.file))
      if not text:find('"ActionStatus"', 1, true) then
        n = n + 1
        local answer, failures = rest.check(text)
        if e.outcome == "fail" then
          assert.is_nil(answer, e.file)
          assert.equal(e.top_code, failures.code, e.file)
        else
          assert.is_table(answer, e.file .. ": " .. tostring(failures))
          assert.same(want_pairs(e), (pairs_of(failures)), e.file)
        end
      end
    end
    -- The four openconfigsvr answers.
    assert.equal(4, n)
  end)

  it("gives codes and numeric ids as integers where Lua has them", function()
    if not math.tointeger then return end
    local _, failures = rest.check(
      assert(read("v4_group_open_http_svc_group_msg_recall.json")),
      "v4/group_open_http_svc/group_msg_recall")
    assert.equal("100", tostring(failures[1].id))
    assert.equal("10030", tostring(failures[1].code))
  end)

  it("names only catalogued APIs", function()
    for path in pairs(apis) do assert.is_table(api.get(path), path) end
  end)
end)
end

do
-- Exact boundaries: an alert window's edge, and a backoff cap below the
-- base. Each test sits on the edge, so moving it by one step fails.
local alert = require "imerr.alert"
local retry = require "imerr.retry"

describe("alert window boundary", function()
  local function rules(more_than, window)
    return assert(alert.rules {
      { name = "r", match = { code = 9510 }, more_than = more_than, window = window },
    })
  end

  it("counts a code exactly one window after the oldest as outside it", function()
    local r = rules(1, 10)
    assert.same({}, r:observe(9510, 100))
    assert.same({}, r:observe(9510, 110)) -- 110 - 100 = window: outside
  end)

  it("counts a code just inside the window", function()
    local r = rules(1, 10)
    assert.same({}, r:observe(9510, 100))
    assert.same({ "r" }, r:observe(9510, 109.999))
  end)

  it("fires on more_than + 1 codes in the window, not on more_than", function()
    local r = rules(3, 60)
    assert.same({}, r:observe(9510, 0))
    assert.same({}, r:observe(9510, 1))
    assert.same({}, r:observe(9510, 2))
    assert.same({ "r" }, r:observe(9510, 59.5))
    -- 0 has left (60.5 - 0 > 60): 1, 2, 59.5, 60.5 are four within it.
    assert.same({ "r" }, r:observe(9510, 60.5))
    -- At 62 the oldest of the last four is 2: 62 - 2 = 60, the edge.
    assert.same({}, r:observe(9510, 62))
  end)

  it("fires at once with more_than = 0, whatever the window", function()
    local r = rules(0, 0.001)
    assert.same({ "r" }, r:observe(9510, 5))
    assert.same({ "r" }, r:observe(9510, 1e9))
  end)

  it("ignores codes the rule does not match", function()
    local r = rules(0, 60)
    assert.same({}, r:observe(70001, 1))
  end)
end)

describe("policy cap below the base", function()
  local function policy(jitter, r, opts)
    local o = { base = 2, throttle_base = 4, cap = 0.5, jitter = jitter,
      max_attempts = 10, random = function() return r end }
    for k, v in pairs(opts or {}) do o[k] = v end
    return assert(retry.policy(o))
  end

  it("caps every attempt's ceiling at cap with no jitter", function()
    local p = policy("none", 0)
    for attempt = 1, 9 do assert.equal(0.5, p:next(9510, attempt)) end
  end)

  it("draws full and equal jitter below cap", function()
    assert.equal(0.5, policy("full", 1):next(9510, 1))
    assert.equal(0, policy("full", 0):next(9510, 1))
    assert.equal(0.25, policy("equal", 0):next(9510, 1))
    assert.equal(0.5, policy("equal", 1):next(9510, 1))
  end)

  it("keeps decorrelated jitter at cap, not at base, when cap < base", function()
    -- U(base, min(cap, base * 3^n)) is empty when cap < base: the cap wins.
    assert.equal(0.5, policy("decorrelated", 0):next(9510, 1))
    assert.equal(0.5, policy("decorrelated", 1):next(9510, 3))
  end)

  it("caps the throttling base too", function()
    -- 60007 asks to reduce the rate: throttle_base (4) applies, then cap.
    assert.equal(0.5, policy("none", 0):next(60007, 1))
  end)

  it("lets a code's documented minimum wait win over the cap", function()
    -- 9506: at most 5 requests a second, so 0.2 s at least.
    assert.equal(0.2, policy("none", 0, { cap = 0.1 }):next(9506, 1))
    assert.equal(0.2, policy("full", 0, { cap = 0.1 }):next(9506, 1))
  end)

  it("uses the base itself when cap equals it", function()
    assert.equal(2, policy("none", 0, { cap = 2 }):next(9510, 1))
    assert.equal(2, policy("none", 0, { cap = 2 }):next(9510, 4))
  end)
end)

-- rest.check: every text it gives out is bounded and valid UTF-8, and a
-- reading cut by the item budget says how much it left out.
describe("rest.check's bounds", function()
  local rest = require "imerr.rest"
  local cjson = require "cjson"
  local valid_utf8 = require "valid_utf8"

  -- Every string in t (keys and values, nested), each at most MAX_INFO bytes
  -- of valid UTF-8.
  local function all_bounded(t, seen)
    seen = seen or {}
    if seen[t] then return end
    seen[t] = true
    for k, v in pairs(t) do
      for _, s in ipairs { k, v } do
        if type(s) == "string" then
          assert.truthy(#s <= rest.MAX_INFO, #s)
          assert.is_true(valid_utf8(s), s:sub(1, 40))
        elseif type(s) == "table" then
          all_bounded(s, seen)
        end
      end
    end
  end

  it("cuts a 3 MB RequestId of \\xff bytes to valid UTF-8 JSON", function()
    local text = '{"ActionStatus":"FAIL","ErrorCode":70001,"ErrorInfo":"x","RequestId":"' ..
      ("\255"):rep(3 * 1024 * 1024) .. '"}'
    local ok, err = rest.check(text, "v4/openim/sendmsg")
    assert.is_nil(ok)
    assert.equal(70001, err.code)
    assert.truthy(#err.request_id <= rest.MAX_INFO)
    assert.is_true(valid_utf8(err.request_id))
    assert.equal("...", err.request_id:sub(-3))
    local encoded = cjson.encode(err)
    assert.truthy(#encoded < 4 * rest.MAX_INFO, #encoded)
    assert.is_true(valid_utf8(encoded))
    assert.same(err, cjson.decode(encoded))
    -- A short one is kept as it is.
    ok, err = rest.check { ActionStatus = "FAIL", ErrorCode = 70001, RequestId = "r-7" }
    assert.is_nil(ok)
    assert.equal("r-7", err.request_id)
  end)

  it("bounds ids, accounts, infos, drop reasons and list names", function()
    local mb = ("\255\0x"):rep(400000)
    local answer = { ActionStatus = "FAIL", ErrorCode = 70001, ErrorInfo = mb,
      RequestId = mb, MsgDropReason = mb, MsgSeq = mb,
      ResultItem = { { To_Account = mb, ResultCode = 30001, ResultInfo = mb } },
      Fail_Account = { mb, mb .. "2" },
      [mb] = { { UserID = mb, ErrorCode = 70107, ErrorInfo = mb } } }
    for _, path in ipairs { "v4/sns/friend_add", false } do
      local ok, err = rest.check(answer, path or nil)
      assert.is_nil(ok)
      all_bounded(err)
      assert.is_true(#err.failures >= 3)
      for _, f in ipairs(err.failures) do
        if f.account then assert.equal(f.id, f.account) end
      end
    end
    -- And in an OK answer.
    answer.ActionStatus, answer.ErrorCode = "OK", 0
    local _, failures = rest.check(answer)
    all_bounded(failures)
    local dropped
    for _, f in ipairs(failures) do dropped = dropped or f.dropped end
    assert.truthy(#dropped <= rest.MAX_INFO and #dropped > 400)
    local text = cjson.encode(failures)
    assert.is_true(valid_utf8(text))
  end)

  it("keeps finite numeric ids as numbers, and no infinite or NaN id", function()
    local function ids(seq)
      local _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
        RecallRetList = { { MsgSeq = seq, RetCode = 10030 } } },
        "v4/group_open_http_svc/group_msg_recall")
      return failures[1].id
    end
    assert.equal(7, ids(7.0))
    assert.equal(2.5, ids(2.5))
    assert.equal(1e300, ids(1e300))
    assert.is_nil(ids(math.huge))
    assert.is_nil(ids(-math.huge))
    assert.is_nil(ids(0 / 0))
    -- cjson reads 1e999 as an infinity: it gives no id.
    local _, failures = rest.check('{"ActionStatus":"OK","ErrorCode":0,' ..
      '"MsgSeq":1e999,"MsgDropReason":"MsgFreqCtrl"}')
    assert.is_nil(failures[1].id)
    assert.equal("MsgFreqCtrl", failures[1].dropped)
    assert.truthy(cjson.encode(failures))
  end)

  describe("the item budget", function()
    local function list_of(n, item)
      local list = {}
      for i = 1, n do list[i] = item end
      return list
    end

    it("ends a cut list with a marker counting the items left out", function()
      -- A million failed items: the budget, then one marker.
      local list = list_of(1000000, { To_Account = "a", ErrorCode = 70107 })
      for _, path in ipairs { "v4/openim/query_online_status", false } do
        local answer, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
          ErrorList = list }, path or nil)
        assert.is_table(answer)
        assert.equal(rest.MAX_ITEMS + 1, #failures)
        local last = failures[#failures]
        assert.equal(1000000 - rest.MAX_ITEMS, last.truncated)
        assert.equal("bad_response", last.reason)
        assert.equal("ErrorList[]", last.list)
        assert.truthy(last.info:find("900000", 1, true), last.info)
        assert.is_nil(failures[#failures - 1].truncated)
        assert.equal(70107, failures[#failures - 1].code)
      end
    end)

    it("is a read-only constant, narrowed per call by max_items", function()
      assert.equal(100000, rest.MAX_ITEMS)
      local saved = rest.MAX_ITEMS
      rest.MAX_ITEMS = 1
      local _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
        Fail_Account = { "a", "b" } })
      rest.MAX_ITEMS = saved
      assert.equal(2, #failures)
      for _, bad in ipairs { 0, 1.5, 100001, "3", 0 / 0 } do
        local ok, err = rest.check({ ActionStatus = "OK" }, { max_items = bad })
        assert.is_nil(ok)
        assert.equal("invalid", err.reason)
      end
      local ok, err = rest.check({ ActionStatus = "OK" }, { max_item = 3 })
      assert.is_nil(ok)
      assert.matches('unknown check option "max_item"', err.info, 1, true)
    end)

    it("marks a list one item over the budget, not one at it", function()
      local max = 3
      local item = { To_Account = "a", ResultCode = 30001 }
      local _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
        ResultItem = list_of(3, item) }, { api = "v4/sns/friend_add", max_items = max })
      assert.equal(3, #failures)
      assert.is_nil(failures[3].truncated)
      _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
        ResultItem = list_of(4, item) }, { api = "v4/sns/friend_add", max_items = max })
      assert.equal(4, #failures)
      assert.equal(1, failures[4].truncated)
      -- Lists the budget never reached count too: a bare list after it.
      _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
        ResultItem = list_of(4, item), Fail_Account = { "x", "y" } },
        { api = "v4/sns/friend_add", max_items = max })
      assert.equal(3, failures[4].truncated)
      assert.equal("ResultItem[]", failures[4].list)
      -- And the marker reaches the error of a failed answer.
      local ok, err = rest.check({ ActionStatus = "FAIL", ErrorCode = 70001,
        ResultItem = list_of(10, item) }, { api = "v4/sns/friend_add", max_items = max })
      assert.is_nil(ok)
      assert.equal(7, err.failures[#err.failures].truncated)
    end)

    it("spends the budget on a bare list once, with or without the api", function()
      local max = 3
      for _, path in ipairs { "v4/sns/friend_add", false } do
        local _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
          Fail_Account = { "a", "b", "c", "d", "e" } }, { api = path or nil, max_items = max })
        assert.equal(4, #failures)
        assert.equal("c", failures[3].id)
        assert.equal(2, failures[4].truncated)
        assert.equal("Fail_Account[]", failures[4].list)
      end
    end)

    it("counts the entries left in nested lists", function()
      local max = 5
      local inner = { ContactItem = { To_Account = "c" }, ResultCode = 50001 }
      local outer = { ResultItem = list_of(3, inner) }
      local _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
        GroupResultItem = list_of(3, outer) },
        { api = "v4/recentcontact/create_contact_group", max_items = max })
      -- Read: outer 1, its 3 items, outer 2; left: outer 2's 3 items, outer 3.
      assert.equal(4, #failures)
      assert.equal(4, failures[4].truncated)
    end)

    it("makes a cut SomeError no partial success", function()
      local max = 2
      local ok, err = rest.check({ ActionStatus = "SomeError", ErrorCode = 0,
        ErrorList = list_of(3, { To_Account = "a", ErrorCode = 70107 }) },
        { api = "v4/openim/batchsendmsg", max_items = max })
      assert.is_nil(ok)
      assert.equal("bad_response", err.reason)
      assert.equal(1, err.failures[3].truncated)
    end)
  end)
end)
end

do
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
end

do
-- rest.check's JSON depth limit at its real bound: MAX_DEPTH levels are
-- read, MAX_DEPTH + 1 are refused. lua-cjson's own default (1000) accepts
-- both, so removing the limit fails these tests.
local rest = require "imerr.rest"

local SHAPES = {
  objects = { open = '{"a":', empty = "{}", close = "}" },
  arrays = { open = "[", empty = "[]", close = "]" },
}

-- An OK answer nested depth levels in all (the answer itself is level 1).
local function text(depth, shape)
  local s = SHAPES[shape]
  return '{"ActionStatus":"OK","ErrorCode":0,"Deep":' .. s.open:rep(depth - 2) ..
    s.empty .. s.close:rep(depth - 2) .. "}"
end

describe("rest.check JSON depth", function()
  local MAX = rest.MAX_DEPTH

  it("counts levels as the decoder does", function()
    assert.equal('{"ActionStatus":"OK","ErrorCode":0,"Deep":[[]]}', text(3, "arrays"))
  end)

  it("is a bound well below the decoder's default", function()
    assert.is_number(MAX)
    assert.is_true(MAX >= 8 and MAX < 1000)
  end)

  for shape in pairs(SHAPES) do
    it("reads " .. shape .. " nested MAX_DEPTH levels", function()
      local ok, err = rest.check(text(MAX, shape))
      assert.is_table(ok, err and err.info)
      assert.equal("OK", ok.ActionStatus)
      local v = ok.Deep -- the innermost value is MAX - 2 levels under Deep
      for _ = 1, MAX - 2 do v = shape == "objects" and v.a or v[1] end
      assert.same({}, v)
    end)

    it("refuses " .. shape .. " nested MAX_DEPTH + 1 levels", function()
      local ok, err = rest.check(text(MAX + 1, shape))
      assert.is_nil(ok)
      assert.equal("bad_response", err.reason)
      assert.equal(502, err.http_status)
      assert.truthy(err.info:find("not JSON", 1, true), err.info)
    end)
  end

  it("refuses MAX_DEPTH + 1 in a failed answer before reading its code", function()
    local deep = ("["):rep(MAX) .. ("]"):rep(MAX)
    local ok, err = rest.check('{"ActionStatus":"FAIL","ErrorCode":70001,"X":' ..
      deep .. "}")
    assert.is_nil(ok)
    assert.equal("bad_response", err.reason)
    assert.is_nil(err.code)
  end)
end)
end

do
-- The published REST answer examples in spec/fixtures/rest: every file is
-- listed in expected.lua, decodes, and holds what its entry says it holds.
local cjson = require "cjson.safe"
local lfs = require "lfs"

-- Whether `want` is a value anywhere in the decoded answer.
local function holds(v, want)
  if v == want then return true end
  if type(v) ~= "table" then return false end
  for _, x in pairs(v) do
    if holds(x, want) then return true end
  end
  return false
end

-- Whether one object of the answer has `id` and `code` among its values,
-- looking one level into nested objects (Extension.Key, TopicInfo.TopicId).
local function item_with(v, id, code)
  if type(v) ~= "table" then return false end
  local has_id, has_code = false, false
  for _, x in pairs(v) do
    if x == id or (type(x) == "table" and x[1] == nil and holds(x, id)) then
      has_id = true
    end
    if x == code then has_code = true end
  end
  if has_id and has_code then return true end
  for _, x in pairs(v) do
    if item_with(x, id, code) then return true end
  end
  return false
end

local OUTCOMES = { ok = true, partial = true, fail = true }

describe("REST answer fixtures", function()
  it("lists each json file of the folder once", function()
    local listed = {}
    for _, e in ipairs(expected) do
      assert.is_nil(listed[e.file], e.file .. " listed twice")
      listed[e.file] = true
    end
    local seen = 0
    for name in lfs.dir(DIR) do
      if name:match("%.json$") then
        seen = seen + 1
        assert.is_true(listed[name], name .. " is not in expected.lua")
      end
    end
    assert.equal(#expected, seen)
    assert.is_true(seen > 0)
  end)

  for _, e in ipairs(expected) do
    describe(e.file, function()
      local doc = cjson.decode(read(e.file) or "")

      it("exists and decodes to an object", function()
        assert.is_string(read(e.file), "missing")
        assert.is_table(doc, "not valid JSON")
      end)

      it("is named after its API and cites its page", function()
        local stem = e.api:gsub("/", "_")
        assert.truthy(e.api:match("^v4/[%w_]+/[%w_]+$"), e.api)
        assert.truthy(e.file == stem .. ".json"
          or e.file:match("^" .. stem:gsub("%p", "%%%0") .. "_%d+%.json$"), e.file)
        assert.truthy(e.source:match("^yehe_doc/.+_intl_%a%a%.md@%x+$"), e.source)
        assert.truthy(OUTCOMES[e.outcome], tostring(e.outcome))
        assert.is_table(e.failures)
      end)

      it("agrees with the answer's top level", function()
        if type(doc) ~= "table" then return end
        local code = doc.ErrorCode
        assert.equal(type(code) == "number" and code or nil, e.top_code)
        local status = doc.ActionStatus
        if e.outcome == "ok" then
          assert.same({}, e.failures)
          assert.is_true(status == nil or status == "OK", tostring(status))
        elseif e.outcome == "partial" then
          assert.is_true(#e.failures > 0 or status == "SomeError")
          assert.is_true(status ~= "FAIL")
        else
          assert.is_true(status == "FAIL" or (code ~= nil and code ~= 0))
        end
        assert.equal(e.dropped, doc.MsgDropReason)
      end)

      it("holds every failed id (with its code) it lists", function()
        if type(doc) ~= "table" then return end
        for _, f in ipairs(e.failures) do
          assert.truthy(type(f.id) == "string" or type(f.id) == "number")
          assert.is_true(holds(doc, f.id), tostring(f.id) .. " not in the answer")
          if f.code ~= nil then
            assert.is_true(f.code ~= 0)
            assert.is_true(item_with(doc, f.id, f.code),
              tostring(f.id) .. " has no item with code " .. f.code)
          end
        end
      end)
    end)
  end
end)
end

do
-- rest.check reads numbers as the answer wrote them: integers that a
-- double would round (a 64-bit cursor, a 19-digit id) come back exact, as
-- integers where a Lua integer holds them, else as their decimal text; on
-- Lua 5.3 and 5.4 integral numbers are integers.
local rest = require "imerr.rest"

local math_type = rawget(math, "type")
local INTEGERS = math_type ~= nil

-- What a 19-digit id is in this Lua: an integer on 5.3+, else its text.
local function exact(text)
  if INTEGERS then
    local v = math.tointeger(tonumber(text))
    if v then return v end
  end
  return text
end

describe("rest.check and big integers", function()
  it("keeps get_appid_group_list's 64-bit Next exact", function()
    local answer = assert(rest.check('{"ActionStatus":"OK","ErrorCode":0,' ..
      '"TotalCount":2,"GroupIdList":[{"GroupId":"@TGS#1"}],' ..
      '"Next": 18446744073709551615}',
      "v4/group_open_http_svc/get_appid_group_list"))
    -- Beyond the 64-bit integers too: the decimal text, in every Lua.
    assert.equal("18446744073709551615", answer.Next)
    assert.equal(2, answer.TotalCount)
  end)

  it("keeps a 19-digit id exact", function()
    local answer = assert(rest.check(
      '{"ActionStatus":"OK","ErrorCode":0,"Id":1234567890123456789,' ..
      '"Neg":-9223372036854775808,"Owner_Account":144115233775727695,' ..
      '"Limit":9007199254740992,"Past":9007199254740993}'))
    assert.equal(exact("1234567890123456789"), answer.Id)
    assert.equal(exact("-9223372036854775808"), answer.Neg)
    assert.equal(exact("144115233775727695"), answer.Owner_Account)
    assert.equal(exact("9007199254740993"), answer.Past)
    -- 2^53 itself is exact in a double.
    assert.equal(9007199254740992, answer.Limit)
    assert.equal("number", type(answer.Limit))
    if INTEGERS then
      assert.equal("integer", math_type(answer.Id))
      assert.equal("1234567890123456789", tostring(answer.Id))
    else
      assert.equal("1234567890123456789", answer.Id)
    end
  end)

  it("leaves strings, fractions and exponents as they are", function()
    local answer = assert(rest.check('{"ActionStatus":"OK","ErrorCode":0,' ..
      '"S":"12345678901234567890","T":"x 12345678901234567890 y",' ..
      '"E":"\\"12345678901234567890","F":12345678901234567890.5,' ..
      '"G":1.2345678901234567890e5,"L":[1, 2.5, 98765432109876543210],' ..
      '"C":"\\u000212345678901234567890"}'))
    assert.equal("12345678901234567890", answer.S)
    assert.equal("x 12345678901234567890 y", answer.T)
    assert.equal('"12345678901234567890', answer.E)
    assert.equal("\00212345678901234567890", answer.C)
    assert.equal("number", type(answer.F))
    assert.equal(123456.7890123456789, answer.G)
    assert.equal(1, answer.L[1])
    assert.equal(2.5, answer.L[2])
    assert.equal("98765432109876543210", answer.L[3])
  end)

  it("reports a failed item's big id exactly", function()
    local _, failures = rest.check('{"ActionStatus":"OK","ErrorCode":0,' ..
      '"RecallRetList":[{"MsgSeq":12345678901234567890,"RetCode":10030},' ..
      '{"MsgSeq":1234567890123456789,"RetCode":10030},' ..
      '{"MsgSeq":1,"RetCode":10030}]}', "v4/group_open_http_svc/group_msg_recall")
    assert.equal("12345678901234567890", failures[1].id)
    assert.equal(exact("1234567890123456789"), failures[2].id)
    assert.equal("1", tostring(failures[3].id))
  end)

  it("gives integral numbers as integers on 5.3 and 5.4", function()
    if not INTEGERS then return end
    local answer, failures = rest.check('{"ActionStatus":"OK","ErrorCode":0,' ..
      '"ImportMsgResult":[{"MsgSeq":1,"MsgTime":1620808101,"Result":10004},' ..
      '{"MsgSeq":2,"MsgTime":1620808102,"Result":0}],"Rate":0.5,"Whole":3.0}',
      "v4/group_open_http_svc/import_group_msg")
    assert.equal("integer", math_type(answer.ErrorCode))
    assert.equal("integer", math_type(answer.ImportMsgResult[1].MsgSeq))
    assert.equal("1", tostring(answer.ImportMsgResult[1].MsgSeq))
    assert.equal("integer", math_type(answer.ImportMsgResult[2].MsgTime))
    assert.equal("integer", math_type(answer.Whole))
    assert.equal("float", math_type(answer.Rate))
    assert.equal("1", tostring(failures[1].id))
    -- Keys of the caller's tables match.
    local sent = { [1] = "first" }
    assert.equal("first", sent[answer.ImportMsgResult[1].MsgSeq])
  end)

  it("leaves a caller's decoder alone", function()
    local seen
    local answer = rest.check('{"Next":18446744073709551615}', function(text)
      seen = text
      return { ActionStatus = "OK", ErrorCode = 0, Next = 1.5 }
    end)
    assert.equal('{"Next":18446744073709551615}', seen)
    assert.equal(1.5, answer.Next)
  end)
end)

describe("rest.check on the live APIs' answers nested under Response", function()
  it("reads a success, its Response and its big numbers", function()
    local answer, failures = rest.check('{"ActionStatus":"OK","ErrorCode":0,' ..
      '"ErrorInfo":"","RequestId":"Id-0123456789abcdef0123456789abcdef-O-Seq-52720",' ..
      '"Response":{"RoomInfo":{"RoomId":"live-1",' ..
      '"Owner_Account":144115233775727695,"MaxMemberCount":1000}}}')
    assert.is_nil(failures)
    assert.equal("live-1", answer.Response.RoomInfo.RoomId)
    assert.equal(exact("144115233775727695"), answer.Response.RoomInfo.Owner_Account)
    answer = assert(rest.check('{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"",' ..
      '"RequestId":"Id-1","Response":{"Token":"t","IsTokenEnable":true}}'))
    assert.is_true(answer.Response.IsTokenEnable)
  end)

  it("reads their failures by code, with the request id", function()
    for _, code in ipairs { 100001, 100002, 100302 } do
      local ok, err = rest.check(('{"ActionStatus":"FAIL","ErrorCode":%d,' ..
        '"ErrorInfo":"x","RequestId":"Id-9","Response":{}}'):format(code))
      assert.is_nil(ok)
      assert.equal(code, err.code)
      assert.equal("Id-9", err.request_id)
      assert.is_nil(err.failures)
    end
  end)

  it("classifies their private codes as their pages say", function()
    local want = {
      [100001] = { "transient", "server_error", "retry" },
      [100002] = { "fatal", "bad_request", "fix_request" },
      [100004] = { "fatal", "not_found", "none" },
      [100005] = { "fatal", "permission", "none" },
      [100006] = { "fatal", "permission", "none" },
      [100302] = { "fatal", "config", "fix_config" },
    }
    for code, w in pairs(want) do
      local _, err = rest.check(('{"ActionStatus":"FAIL","ErrorCode":%d,' ..
        '"ErrorInfo":"x","RequestId":"Id-9"}'):format(code),
        { api = "v4/live_config/get_callback_token" })
      assert.same(w, { err.class, err.reason, err.action }, code)
    end
  end)
end)
end
