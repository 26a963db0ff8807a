-- rest.check on every per-item answer shape Tencent's REST pages show,
-- with and without the API's path.
local rest = require "imerr.rest"
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
    for path in rest.apis() do
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
    for path in rest.apis() do
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
    for path, row in rest.apis() do
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
