-- wrk script: POSTs a small JSON body (the path comes from the URL). A
-- URL without an sdkappid gets a new one in each request, as from every
-- app of a large fleet (each thread counts from an offset of its own),
-- so that no app's rate limit makes a request wait.
-- luacheck: globals setup init request, read globals offset
local app = 1400000000
local threads = 0

wrk.method = "POST"
wrk.body = '{"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}'
wrk.headers["Content-Type"] = "application/json"

function setup(thread)
  thread:set("offset", threads * 100000000)
  threads = threads + 1
end

function init()
  app = app + offset
end

function request()
  if wrk.path:find("sdkappid=", 1, true) then return wrk.request() end
  app = app + 1
  local sep = wrk.path:find("?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "sdkappid=" .. app)
end
