-- wrk script: POSTs a small JSON body (the path comes from the URL). A
-- URL without an sdkappid gets one of 500 apps per thread in turn (each
-- thread counts from an offset of its own): a few thousand requests a
-- second stay far below each app's rate, and no limiter makes one wait.
-- luacheck: globals setup init request, read globals offset
local APPS = 500
local base, n = 1400000000, 0
local threads = 0

wrk.method = "POST"
wrk.body = '{"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}'
wrk.headers["Content-Type"] = "application/json"

function setup(thread)
  thread:set("offset", threads * 100000000)
  threads = threads + 1
end

function init()
  base = base + offset
end

function request()
  if wrk.path:find("sdkappid=", 1, true) then return wrk.request() end
  n = n + 1
  local sep = wrk.path:find("?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "sdkappid=" .. base + n % APPS)
end
