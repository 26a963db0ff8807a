--- Fleet rate limits for the proxy: one imerr.ratelimit limiter per app
-- (SDKAppID) and REST API, at the rate Tencent documents for that API,
-- shared by every worker through a shared dict, or by every node through
-- Redis when $imerr_limit_redis names one (host:port; needs
-- lua-resty-redis). Limiters fail open: when the store fails, calls go on
-- and Tencent's own 60007 answers (observed below) slow the fleet down.
-- The app is the canonical SDKAppID of app.im_sdkappid: "01400000001"
-- and "%31400000001" share the bucket of "1400000001".
local ratelimit = require "imerr.ratelimit"
local store = require "imerr.store"
-- Debian's lua-resty-lrucache (a dependency of lua-resty-core). Its
-- pureffi form: a new app evicts an old one on most misses, and the plain
-- form takes about 10 us for that where this one takes under 1 us.
local lrucache = require "resty.lrucache.pureffi"
local sleep = require "app.im_sleep"

local log = require("app.im_log").log

local ngx = ngx
local tonumber = tonumber

local _M = {}

-- Limiters of this worker, by store, app and path; false where the
-- catalogue has no rate for the path. A limiter keeps its state in the
-- store, not in itself, so this is only a cache: the least recently used
-- go when it is full, and 140,000 apps cost a worker no more than
-- MAX_LIMITERS limiters (a few hundred KB).
_M.MAX_LIMITERS = 1024
local limiters = assert(lrucache.new(_M.MAX_LIMITERS))
-- No catalogue path is this long; longer ones (the path is the client's)
-- get no limiter and no cache entry.
local MAX_PATH = 128
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

--- The limiter for this request's app (its canonical SDKAppID) and API,
-- or nil when there is none (an API without a documented rate, limits
-- turned off).
function _M.get(var, path, app)
  if var.imerr_limit ~= "on" or #path > MAX_PATH then return nil end
  local addr = var.imerr_limit_redis or ""
  local key = addr .. " " .. app .. " " .. path
  local limiter = limiters:get(key)
  if limiter == nil then
    local s, err = store_for(addr)
    if s then
      limiter, err = ratelimit.for_api(path, { app = app, store = s })
    end
    if not limiter then
      log(ngx.INFO, "imerr: no rate limit for ", path, ": ", err)
    end
    limiter = limiter or false
    limiters:set(key, limiter)
  end
  return limiter or nil
end

-- Turns of the wait loop: each sleeps at least 1 ms and the stop is at
-- most an attempt away, so a bound is reached only when other workers
-- keep taking the calls first, or the clock steps back.
_M.MAX_TURNS = 100

--- Waits until the limiter lets one call go, if that can happen before
-- stop (an ngx.now() time): true, or false when the wait would pass it.
-- Bounded three ways, whatever the limiter answers: the stop on a fresh
-- clock, the time slept (a clock stepping back gains nothing) and
-- MAX_TURNS turns.
function _M.wait(limiter, stop)
  local left = stop - sleep.now()
  for _ = 1, _M.MAX_TURNS do
    local wait, err = limiter:take()
    if not wait then
      log(ngx.WARN, "imerr: rate limiter store failed: ", err)
      return true
    end
    if wait <= 0 then return true end
    if sleep.now() + wait >= stop or wait >= left then return false end
    left = left - sleep.sleep(wait)
  end
  return false
end

return _M
