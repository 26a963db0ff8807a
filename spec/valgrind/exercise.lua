-- Calls every public function of imerr once or more, with good and bad
-- input, for a run under valgrind's memcheck. Exits non-zero if a result
-- is not what the specs promise.
local imerr = require "imerr"
local retry = require "imerr.retry"
local rest = require "imerr.rest"
local callback = require "imerr.callback"
local alert = require "imerr.alert"
local core = require "imerr.core"

local checks = 0
local function check(cond, what)
  checks = checks + 1
  if not cond then error("failed: " .. what, 2) end
end

for code, row in imerr.entries() do
  check(imerr.lookup(code) == row, "lookup")
  check(imerr.lookup(tostring(code)) == row, "lookup string")
  check(imerr.code(row.name) == code, "code")
  check(imerr.message(code) == row.message, "message")
  check(retry.classify(code) == row.hint.class, "classify")
  check(core.find(code) and core.find_name(row.name), "core")
end
for _, bad in ipairs { " -302 ", "7e4", ("9"):rep(100000), "\0", {}, 0 / 0 } do
  check(imerr.name(bad) == nil or bad == " -302 ", "bad input")
  check(retry.classify(bad) == "fatal" or bad == " -302 ", "bad classify")
end
check(core.parse(" 42 ") == 42, "parse")
-- The tables the core makes for imerr's modules, and the catalogue.
check(#core.column("name") == core.count(), "column")
check(core.tables().count == core.count() and core.reasons().timeout, "tables")
check(#core.texts().names == core.count(), "texts")
local api = require "imerr.api"
for path, row in api.each() do
  check(row.path == path and api.get(path).path == path, "api")
  check(core.api_row(core.api_find(path)).path == path, "api_find")
end
check(core.api_row(0) == nil and core.api_row(api.count + 1) == nil, "api edges")
check(core.api_find("v4/openim/sendmsg\0") == nil, "api NUL")

local budget = retry.budget { capacity = 20 }
local p = retry.policy { budget = budget, deadline = 5 }
local a = p:start()
check(a:next(9520) and a:next(20004) and not a:next(20004), "attempts")
a:success()
check(p:next(70001, 1) == nil, "relogin")
check(p:next(retry.http_hint(503), 1), "http hint")

check(rest.check('{"ActionStatus":"OK","ErrorCode":0}'), "rest ok")
check(not rest.check('{"ActionStatus":"FAIL","ErrorCode":70001}'), "fail")
check(not rest.check(("["):rep(10000)), "deep")
local _, failures = rest.check { ActionStatus = "OK",
  ErrorList = { { To_Account = "a", ErrorCode = 70107 } } }
check(#failures == 1, "batch")
-- imerr's JSON reader: escapes, surrogates, big integers, every prefix.
local text = '{"ActionStatus":"OK","ErrorCode":0,"Next":18446744073709551615,' ..
  '"Id":1234567890123456789,"S":"\\u4e2d\\ud83d\\ude00\\n","F":-1.5e3,' ..
  '"L":[true,false,null,{"a":[]}]}'
check(rest.check(text).Next == "18446744073709551615", "big integer")
for i = 0, #text - 1 do check(not rest.check(text:sub(1, i)), "prefix") end
for _, bad in ipairs { '"\\ud800"', '"\\u12', "[1,]", "01", ("{"):rep(70) } do
  check(not rest.check(bad), "not JSON")
end
local req = assert(rest.prepare("v4/openim/sendmsg", ' {"MsgBody":[{"a":"}"}]} '))
check(req.body:find('"MsgRandom":%d+'), "prepare text")
req = assert(rest.prepare("v4/group_open_http_svc/import_group_msg",
  { MsgList = { {}, { Random = 1 } } }))
check(req.body:find('"Random":1}'), "prepare table")
local pa = assert(p:start { request = req })
check(pa:body() == req.body, "attempts body")

check(callback.encode(callback.reject(120001, "no")):find("120001"), "cb")
check(not callback.reject(7), "cb range")
local rules = alert.rules(dofile("examples/alert_rules.lua"))
check(#rules:observe(70009, 0) == 1, "alert")
check(imerr.matcher { class = "transient" }(9510), "matcher")

-- imerr.sig: OpenSSL's HMAC and SHA-256, zlib both ways, the parser.
local sig = require "imerr.sig"
local sig_core = require "imerr.sig_core"
local KEY = "valgrind-key"
local function expect(id, now)
  return { sdkappid = 1400000000, key = KEY, identifier = id, now = now }
end
local us = assert(sig.usersig { sdkappid = 1400000000, key = KEY,
  identifier = "u1", expire = 60, now = 1000, userbuf = "\0\1\2" })
check(sig.verify_usersig(us, expect("u1", 1060)).userbuf == "\0\1\2", "sig")
check(select(2, sig.verify_usersig(us, expect("u1", 1061))) == "expired", "exp")
check(select(2, sig.verify_usersig(us, expect("u2", 1))) == "wrong_identifier",
  "sig id")
local doc = sig_core.unpack(us)
for _, bad in ipairs { us:sub(1, -5), us .. "AAAA", ("A"):rep(100000), "",
  sig_core.pack(("{"):rep(1000000), 9), sig_core.pack(doc:sub(1, -2)),
  sig_core.pack((doc:gsub('"u1"', '"\\ud800"'))), sig_core.pack(doc .. "x"),
  {}, 7 } do
  check(select(2, sig.verify_usersig(bad, expect("u1", 1))) == "malformed",
    "malformed")
end
check(sig.callback_sign("xxxxyyyy", 1669872112):sub(1, 8) == "17773bc3", "sign")
local verify = require("imerr._callback_verify").verify
local args = { RequestTime = "1000", Sign = sig.callback_sign("t", 1000) }
check(verify(args, { tokens = { "old", "t" }, now = 1000 }), "callback")
check(not verify(args, { tokens = { "x" }, now = 1000 }), "callback forged")
local admin = assert(sig.admin { sdkappid = 1400000000, key = KEY })
check(admin:get() == admin:get() and admin:renew(), "admin")

print(("exercise.lua: %d passed, 0 failed"):format(checks))
