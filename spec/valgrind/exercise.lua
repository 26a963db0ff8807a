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

check(callback.encode(callback.reject(120001, "no")):find("120001"), "cb")
check(not callback.reject(7), "cb range")
local rules = alert.rules(dofile("examples/alert_rules.lua"))
check(#rules:observe(70009, 0) == 1, "alert")
check(imerr.matcher { class = "transient" }(9510), "matcher")

print(("exercise.lua: %d passed, 0 failed"):format(checks))
