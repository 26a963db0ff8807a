-- Sending exactly once: rest.prepare makes the bytes every attempt sends,
-- de-duplication key included, and a policy started with the request
-- resends after an ambiguous failure only while Tencent still discards
-- the resend as a duplicate (data/dedupe.tsv).
local rest = require "imerr.rest"
local retry = require "imerr.retry"
local api = require "imerr.api"
local cjson = require "cjson"

local SENDMSG = "v4/openim/sendmsg"
local U32 = 2 ^ 32 - 1

local function is_u32(v)
  return type(v) == "number" and v >= 1 and v <= U32 and v % 1 == 0
end

local function message(text)
  return { To_Account = "bob", MsgBody = { { MsgType = "TIMTextElem",
    MsgContent = { Text = text or "hello" } } } }
end

describe("rest.prepare", function()
  it("fills the key fields Tencent would fill at random, once", function()
    local req = assert(rest.prepare(SENDMSG, message()))
    assert.equal(SENDMSG, req.api)
    assert.is_string(req.body)
    local body = cjson.decode(req.body)
    assert.is_true(is_u32(body.MsgRandom), req.body)
    assert.is_true(is_u32(body.MsgSeq), req.body)
    assert.equal("bob", body.To_Account)
    assert.equal("hello", body.MsgBody[1].MsgContent.Text)
    -- The sender is the caller's: left as it is (the admin sends).
    assert.is_nil(body.From_Account)
    assert.equal(120, req.dedupe.window)
    assert.same({ "From_Account", "MsgSeq", "MsgRandom" }, req.dedupe.fields)
    -- Another request, another key.
    local other = cjson.decode(assert(rest.prepare(SENDMSG, message())).body)
    assert.are_not.equal(body.MsgRandom, other.MsgRandom)
  end)

  it("never changes a field the caller set, nor the caller's table", function()
    local msg = message()
    msg.MsgRandom, msg.MsgSeq, msg.From_Account = 0, 77, "alice"
    local req = assert(rest.prepare(SENDMSG, msg))
    local body = cjson.decode(req.body)
    assert.equal(0, body.MsgRandom)
    assert.equal(77, body.MsgSeq)
    assert.equal("alice", body.From_Account)
    local mine = message()
    assert(rest.prepare(SENDMSG, mine))
    assert.is_nil(mine.MsgRandom)
    assert.is_nil(mine.MsgSeq)
  end)

  it("keeps the bytes of JSON text, writing in only what is missing", function()
    local text = ' {"To_Account":"bob", "Cursor": 18446744073709551615,' ..
      ' "Id": 1234567890123456789, "MsgSeq": 5} '
    local req = assert(rest.prepare(SENDMSG, text))
    local random = req.body:match('^ {"MsgRandom":(%d+),"To_Account"')
    assert.truthy(random, req.body)
    assert.is_true(is_u32(tonumber(random)))
    assert.equal(text, req.body:gsub('"MsgRandom":%d+,', ""))
    -- Complete text is sent as it is.
    local full = '{"MsgRandom":1,"MsgSeq":2,"To_Account":"bob"}'
    assert.equal(full, assert(rest.prepare(SENDMSG, full)).body)
    -- An empty object takes the fields alone.
    local empty = assert(rest.prepare(SENDMSG, "{}")).body
    assert.truthy(empty:match('^{"Msg%a+":%d+,"Msg%a+":%d+}$'), empty)
  end)

  it("fills each import_group_msg message's Random", function()
    local path = "v4/group_open_http_svc/import_group_msg"
    local req = assert(rest.prepare(path, { GroupId = "g", MsgList = {
      { From_Account = "a", Random = 5 }, { From_Account = "b" } } }))
    local list = cjson.decode(req.body).MsgList
    assert.equal(5, list[1].Random)
    assert.is_true(is_u32(list[2].Random))
    local text = '{"GroupId":"g","MsgList":[{"Random":5},{ },' ..
      '{"MsgBody":[{"Text":"}]{"}]}]}'
    local body = assert(rest.prepare(path, text)).body
    list = cjson.decode(body).MsgList
    assert.equal(5, list[1].Random)
    assert.is_true(is_u32(list[2].Random))
    assert.is_true(is_u32(list[3].Random))
    assert.equal("}]{", list[3].MsgBody[1].Text)
  end)

  it("fills the group messages' Random and importmsg's MsgSeq and MsgRandom", function()
    for _, path in ipairs { "v4/group_open_http_svc/send_group_msg",
      "v4/group_open_http_svc/send_broadcast_msg" } do
      local body = cjson.decode(assert(rest.prepare(path, { GroupId = "g" })).body)
      assert.is_true(is_u32(body.Random), path)
    end
    local body = cjson.decode(assert(rest.prepare("v4/openim/importmsg",
      { From_Account = "a", To_Account = "b", MsgTimeStamp = 1700000000 })).body)
    assert.is_true(is_u32(body.MsgSeq))
    assert.is_true(is_u32(body.MsgRandom))
    assert.equal(1700000000, body.MsgTimeStamp)
  end)

  it("encodes the body of an API without a rule, adding nothing", function()
    local req = assert(rest.prepare("v4/openim/batchsendmsg",
      { To_Account = { "a", "b" }, MsgRandom = nil }))
    assert.equal('{"To_Account":["a","b"]}', req.body)
    assert.is_nil(req.dedupe)
  end)

  it("writes integers with all their digits", function()
    local body = assert(rest.prepare("v4/openim/batchsendmsg",
      { Big = math.tointeger and math.tointeger(2 ^ 62) + 1 or 2 ^ 60 })).body
    if math.tointeger then
      assert.equal('{"Big":4611686018427387905}', body)
    else
      assert.equal('{"Big":1152921504606846976}', body)
    end
  end)

  it("refuses what it cannot send, with a message", function()
    local cyclic = { To_Account = "bob" }
    cyclic.self = cyclic
    local cases = {
      { { x = 0 / 0 }, "body.x is NaN" },
      { { x = math.huge }, "no such number" },
      { { f = print }, "body.f is a function" },
      { cyclic, "holds itself" },
      { { l = { 1, nil, 3 } }, "holes" },
      { { l = { 1, a = 2 } }, "mixes list items and named fields" },
      { { [true] = 1 }, "key that is a boolean" },
      { { s = "\255" }, "not UTF-8" },
      { { 1, 2 }, "JSON text of an object" },
      { 42, "JSON text of an object" },
      { "[1]", "JSON text of an object" },
      { '{"a":1,', "not JSON" },
      { '{"a":1,"a":2}', "twice" },
      { "{\"a\":\"\0\"}", "NUL" },
    }
    local deep = {}
    for _ = 1, 70 do deep = { deep } end
    cases[#cases + 1] = { { d = deep }, "deeper than 64" }
    for _, case in ipairs(cases) do
      local req, err = rest.prepare(SENDMSG, case[1])
      assert.is_nil(req, case[2])
      assert.is_string(err)
      assert.truthy(err:find(case[2], 1, true), err)
    end
    local req, err = rest.prepare("v4/openim/nope", {})
    assert.is_nil(req)
    assert.truthy(err:find("unknown api", 1, true))
  end)
end)

describe("a policy started with a prepared request", function()
  -- A fake clock the test moves.
  local now = 1000
  local function clock() return now end
  local p = assert(retry.policy { clock = clock, jitter = "none", base = 0.05,
    max_attempts = 5, attempt_timeout = 5 })
  local timeout = retry.http_hint(504)

  it("retries an ambiguous sendmsg failure inside the window, not after", function()
    local req = assert(rest.prepare(SENDMSG, message()))
    local attempts = assert(p:start { request = req })
    now = now + 1
    assert.is_number(attempts:next(timeout))
    assert.equal(req.body, attempts:body())
    -- 110 s in: 110 + delay + 5 + 12 (a tenth of 120) > 120.
    local late = assert(p:start { request = req })
    now = now + 110
    assert.same({ nil, "ambiguous" }, { late:next(timeout) })
    -- The last moment: 120 - 5 - 12 - 0.1 (the second delay).
    local edge = assert(p:start { request = req })
    now = now + 102.8
    assert.is_number(edge:next(timeout))
    now = now + 0.2
    assert.same({ nil, "ambiguous" }, { edge:next(timeout) })
  end)

  it("refuses an ambiguous batchsendmsg failure at once", function()
    local req = assert(rest.prepare("v4/openim/batchsendmsg",
      { To_Account = { "a" } }))
    local attempts = assert(p:start { request = req })
    assert.same({ nil, "ambiguous" }, { attempts:next(timeout) })
    -- Failures refused before they took effect are still retried.
    assert.is_number(attempts:next(retry.http_hint(429)))
  end)

  it("keeps today's answer without a request, and for an api alone", function()
    assert.same({ nil, "ambiguous" },
      { assert(p:start { api = SENDMSG }):next(timeout) })
    assert.same({ nil, "ambiguous" },
      { assert(retry.policy { idempotent = false }):next(timeout, 1) })
  end)

  it("retries importmsg whatever the time (its window never ends)", function()
    local req = assert(rest.prepare("v4/openim/importmsg",
      { From_Account = "a", To_Account = "b", MsgTimeStamp = 1 }))
    local strict = assert(retry.policy { clock = clock, jitter = "none",
      idempotent = false, attempt_timeout = 3600 })
    local attempts = assert(strict:start { request = req, idempotent = false })
    now = now + 86400 * 30
    assert.is_number(attempts:next(timeout))
  end)

  it("uses the group messages' five minutes with their margin", function()
    local req = assert(rest.prepare("v4/group_open_http_svc/send_group_msg",
      { GroupId = "g" }))
    local attempts = assert(p:start { request = req })
    now = now + 260
    -- 260 + 0.05 + 5 + 30 <= 300
    assert.is_number(attempts:next(timeout))
    now = now + 5
    assert.same({ nil, "ambiguous" }, { attempts:next(timeout) })
  end)

  it("sends the bytes of the start, whatever the caller changes after", function()
    local req = assert(rest.prepare(SENDMSG, message()))
    local body = req.body
    local attempts = assert(p:start { request = req })
    req.body = '{"To_Account":"mallory"}'
    assert.equal(body, attempts:body())
    assert.is_nil(assert(p:start()):body())
  end)

  it("reads the window from the catalogue, not from the request table", function()
    local req = assert(rest.prepare("v4/openim/batchsendmsg", { To_Account = { "a" } }))
    req.dedupe = { window = math.huge, fields = {} }
    assert.same({ nil, "ambiguous" },
      { assert(p:start { request = req }):next(timeout) })
  end)

  it("refuses requests not made by rest.prepare, and a request with an api", function()
    local fake = { api = SENDMSG, body = "{}", dedupe = api.get(SENDMSG).dedupe }
    local ok, err = p:start { request = fake }
    assert.is_nil(ok)
    assert.truthy(err:find("rest.prepare", 1, true))
    local req = assert(rest.prepare(SENDMSG, message()))
    ok, err = p:start { request = req, api = SENDMSG }
    assert.is_nil(ok)
    assert.truthy(err:find("not both", 1, true))
    ok, err = retry.policy { attempt_timeout = 0 }
    assert.is_nil(ok)
    assert.truthy(err:find("attempt_timeout", 1, true))
  end)
end)
