-- One process of the fleet test: a limiter on Redis, asking as fast as it
-- is allowed from `start` (a wall-clock time) for `seconds`, sleeping the
-- waits it is told. Prints the calls it was admitted in each second of the
-- run, the store errors it met, and "done".
--   worker.lua KEY START SECONDS [OBSERVE_AT]
-- OBSERVE_AT: seconds into the run at which it reports one 60007.
local socket = require "socket"
local store = require "imerr.store"
local ratelimit = require "imerr.ratelimit"
local redis_env = require "fleet.redis_env"

local key, start, seconds = arg[1], tonumber(arg[2]), tonumber(arg[3])
local observe_at = tonumber(arg[4])

local connect, release = redis_env.reconnecting()
local s = assert(store.redis(connect, { release = release }))
local limiter = assert(ratelimit.new { rate = 200, burst = 20, store = s,
  key = key })

local per_second, errors, first_error = {}, 0, nil
for i = 1, math.ceil(seconds) do per_second[i] = 0 end

local now = socket.gettime()
if start > now then socket.sleep(start - now) end
local stop = start + seconds
while true do
  now = socket.gettime()
  if now >= stop then break end
  if observe_at and now >= start + observe_at then
    assert(limiter:observe(60007))
    observe_at = nil
  end
  local wait, err = limiter:take()
  if wait == 0 then
    local i = math.floor(now - start) + 1
    per_second[i] = per_second[i] + 1
  elseif wait then
    socket.sleep(math.min(wait, stop - now))
  else
    -- The store failed: this caller waits a little and asks again.
    errors = errors + 1
    first_error = first_error or err
    socket.sleep(0.01)
  end
end
print("admitted " .. table.concat(per_second, " "))
print("errors " .. errors)
if first_error then print("error " .. first_error) end
print("done")
