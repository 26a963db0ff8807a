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
end)
