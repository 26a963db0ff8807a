-- The handlers of spec/fleet/nginx.conf: one limiter per worker, its state
-- in the shared dict imerr_limits, so both workers share it.
local store = require "imerr.store"
local ratelimit = require "imerr.ratelimit"

local ngx = ngx -- luacheck: read globals ngx
local _M = {}

local limiter = assert(ratelimit.new { rate = 200, burst = 20,
  key = "imerr:rl:fleet", store = assert(store.shared(ngx.shared.imerr_limits)) })
local counts = ngx.shared.fleet_counts

function _M.handle()
  local wait, err = limiter:take()
  if wait == 0 then
    counts:incr("admitted", 1, 0)
    counts:incr("admitted by " .. ngx.worker.id(), 1, 0)
    ngx.say("ok")
  elseif wait then
    counts:incr("refused", 1, 0)
    ngx.status = 429
    ngx.header["Retry-After"] = ("%.3f"):format(wait)
    ngx.say("wait")
  else
    counts:incr("errors", 1, 0)
    ngx.log(ngx.ERR, "limiter: ", err)
    ngx.status = 500
  end
end

function _M.throttled()
  ngx.say(limiter:observe(60007))
end

function _M.counts()
  ngx.say(("admitted %d refused %d errors %d workers %d+%d rate %.3f"):format(
    counts:get("admitted") or 0, counts:get("refused") or 0,
    counts:get("errors") or 0, counts:get("admitted by 0") or 0,
    counts:get("admitted by 1") or 0, limiter:current_rate()))
end

return _M
