--- Fleet rate limits for the proxy: one imerr.ratelimit limiter per app
-- (SDKAppID) and REST API, at the rate Tencent documents for that API,
-- shared by every worker through a shared dict, or by every node through
-- Redis when $imerr_limit_redis names one (host:port; needs
-- lua-resty-redis). Limiters fail open: when the store fails, calls go on
-- and Tencent's own 60007 answers (observed below) slow the fleet down.
local ratelimit = require "imerr.ratelimit"
local store = require "imerr.store"

local ngx = ngx
local tonumber = tonumber

local _M = {}

-- Limiters of this worker, by app and path; false where the catalogue
-- has no rate for the path (or the app is not a decimal SDKAppID).
local limiters = {}
local stores = {}

-- A Redis store over lua-resty-redis's connection pool.
local function redis_store(addr)
  local host, port = addr:match("^(.-):(%d+)$")
  if not host then return nil, "imerr_limit_redis must be host:port" end
  return store.redis(function()
    local red = require("resty.redis"):new()
    red:set_timeouts(100, 100, 100)
    local ok, err = red:connect(host, tonumber(port))
    if not ok then return nil, err end
    return red
  end, { release = function(red, err)
    if err then red:close() else red:set_keepalive(10000, 100) end
  end })
end

local function store_for(addr)
  local s = stores[addr]
  if s then return s end
  local err
  if addr == "" then
    s, err = store.shared(ngx.shared.imerr_limits)
  else
    s, err = redis_store(addr)
  end
  if not s then return nil, err end
  stores[addr] = s
  return s
end

--- The limiter for this request's app and API, or nil when there is none
-- (no sdkappid, an API without a documented rate, limits turned off).
function _M.get(var, path)
  if var.imerr_limit ~= "on" then return nil end
  local app = var.arg_sdkappid
  if not app then return nil end
  local addr = var.imerr_limit_redis or ""
  local key = addr .. " " .. app .. " " .. path
  local limiter = limiters[key]
  if limiter == nil then
    local s, err = store_for(addr)
    if s then
      limiter, err = ratelimit.for_api(path, { app = app, store = s })
    end
    if not limiter then
      ngx.log(ngx.INFO, "imerr: no rate limit for ", path, ": ", err)
    end
    limiter = limiter or false
    limiters[key] = limiter
  end
  return limiter or nil
end

--- Waits until the limiter lets one call go, if that can happen before
-- stop (an ngx.now() time): true, or false when the wait would pass it.
function _M.wait(limiter, stop)
  while true do
    local wait, err = limiter:take()
    if not wait then
      ngx.log(ngx.WARN, "imerr: rate limiter store failed: ", err)
      return true
    end
    if wait <= 0 then return true end
    if ngx.now() + wait >= stop then return false end
    ngx.sleep(wait)
  end
end

return _M
