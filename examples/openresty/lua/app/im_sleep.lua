--- Sleeping in nginx's Lua module without freezing the worker.
-- nginx's timers count whole milliseconds: ngx.sleep turns a wait under
-- 1 ms into a 0 ms timer, which fires in the same pass over the timers,
-- before the clock is read again. A loop that sleeps until ngx.now()
-- moves then never lets the worker out of that pass (100% CPU, deaf to
-- signals, a warning about ngx.sleep(0) each turn). So every sleep here
-- is at least one millisecond, rounded up, and always yields; the clock
-- is read afresh after it.
local ngx = ngx
local ceil = math.ceil

local _M = {}

-- nginx's timer resolution, in seconds.
_M.RESOLUTION = 0.001
-- The longest sleep, in seconds: a wait of inf or 1e300 never parks a
-- request for good (or overflows nginx's millisecond count).
_M.MAX = 3600

--- The current time, read afresh (ngx.now() is cached per event-loop
-- pass and would not move while one handler runs).
function _M.now()
  ngx.update_time()
  return ngx.now()
end

--- Sleeps about `seconds`, rounded up to whole milliseconds: at least 1
-- ms (also for 0, a negative wait or NaN), at most MAX. Returns the
-- seconds asked of nginx.
function _M.sleep(seconds)
  local ms = 1
  if type(seconds) == "number" and seconds > _M.RESOLUTION then
    -- (a float like 0.003 is 3.0000000000000004 ms: no extra millisecond)
    ms = seconds < _M.MAX and ceil(seconds * 1000 - 1e-6) or _M.MAX * 1000
  end
  -- nginx truncates seconds * 1000 to an integer, and ms / 1000 * 1000
  -- may come out just below ms (1001 ms as 1000.9999999999999): half a
  -- millisecond more truncates to ms itself.
  ngx.sleep((ms + 0.5) / 1000)
  ngx.update_time()
  return ms / 1000
end

return _M
