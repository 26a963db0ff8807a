--- A stand-in for the Tencent IM REST API, for the nginx tests: answers
-- canned envelopes by ?scenario=, counts attempts per ?id= and records
-- when each came.
local cjson = require "cjson.safe"
local retry = require "imerr.retry"

local ngx = ngx

local _M = {}

local function envelope(code, info, extra)
  local t = { ActionStatus = code == 0 and "OK" or "FAIL", ErrorCode = code,
    ErrorInfo = info or "", RequestId = "mock-" .. ngx.var.arg_id }
  for k, v in pairs(extra or {}) do t[k] = v end
  return cjson.encode(t)
end

-- scenario -> function(attempt) -> HTTP status, body
local SCENARIOS = {
  ok = function() return 200, envelope(0) end,
  flaky = function(n)
    if n == 1 then return 200, envelope(70169, "Server timed out") end
    return 200, envelope(0)
  end,
  throttled = function() return 200, envelope(60007, "frequency limit") end,
  relogin = function() return 200, envelope(70001, "UserSig expired") end,
  partial = function()
    return 200, envelope(0, "", { ErrorList = {
      { To_Account = "alice", ErrorCode = 70107, ErrorInfo = "no such user" },
      { To_Account = "bob", ErrorCode = 90012, ErrorInfo = "not imported" },
    } })
  end,
  junk = function() return 200, "<html><body>gateway says hi</body></html>" end,
  empty = function() return 200, "" end,
  bad_gateway = function() return 502, "bad gateway" end,
  not_found = function() return 404, "no such API" end,
  config = function() return 200, envelope(70009, "wrong key") end,
}

function _M.handle()
  local id = ngx.var.arg_id or "none"
  local scenario = SCENARIOS[ngx.var.arg_scenario or "ok"]
  if not scenario then return ngx.exit(400) end
  local mock = ngx.shared.mock
  local n = mock:incr(id, 1, 0)
  mock:set(id .. ":" .. n, ngx.now())
  local status, body = scenario(n)
  ngx.status = status
  ngx.print(body)
end

--- /mock/stats?id=: {"attempts": n, "times": [...]}
function _M.stats()
  local id = ngx.var.arg_id or "none"
  local mock = ngx.shared.mock
  local n = mock:get(id) or 0
  local times = {}
  for i = 1, n do times[i] = mock:get(id .. ":" .. i) end
  ngx.say(cjson.encode({ attempts = n, times = times }))
end

--- /classify?code=: the class and reason imerr gives, from the module
-- installed for nginx's LuaJIT.
function _M.classify()
  local class, reason = retry.classify(ngx.var.arg_code)
  ngx.say(class, " ", reason)
end

return _M
