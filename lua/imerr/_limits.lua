--- imerr._limits: the limiter's arithmetic and the checks of its numbers,
-- shared by imerr.store (every store, and inside the Redis scripts),
-- imerr.ratelimit and imerr.budget (internal).
local type, setmetatable = type, setmetatable
local rawget = rawget

local _M = {}

---------------------------------------------------------------------------
-- The limiter's arithmetic, in the Lua 5.1 that Redis runs: the same text
-- is compiled here for the memory and shared-dict stores and is sent
-- inside the Redis scripts, so every store computes the same answers.
--
-- State per limiter key: t, the theoretical arrival time of GCRA (the
-- bucket is full when t <= now); m and f, the rate when it was last cut
-- and the time of that cut. After a cut the rate follows AWS's adaptive
-- retry mode (CUBIC, botocore retries/throttling.py): beta * m at the cut,
-- then scale * (dt - k)^3 + m, k = cbrt(m * (1 - beta) / scale), capped
-- by the configured rate and floored by min_rate. A clock that reads
-- more than SLACK behind f, or behind t less a full bucket, stepped back:
-- f moves to now, t to an empty bucket from now, and the stores keep
-- what moved.
local MATH = [[
local tonumber, huge, format = tonumber, math.huge, string.format
local function num(x)
  x = tonumber(x)
  if x and x == x and x ~= huge and x ~= -huge then return x end
end

-- How far a clock may read behind a stored time before it counts as
-- stepped back: less is one worker's cached clock lagging another's, left
-- as it is (a lagging worker admits less, never more).
local SLACK = 0.5
-- The longest a cut may take to grow back to the full rate (s), and the
-- longest a limiter's state is kept (s): more than any wait the checked
-- numbers allow (burst / min_rate <= 1e12), and within what PEXPIRE takes.
local MAX_REGROWTH, MAX_LIFE = 3600, 2e12

-- The time a cut takes, at most, to grow back to rate: from a cut at
-- rate, cbrt(rate * (1 - beta) / scale); from a lower rate, less than
-- that plus the climb from 0, cbrt(rate / scale).
local function regrowth(rate, beta, scale)
  return (rate * (1 - beta) / scale) ^ (1 / 3) + (rate / scale) ^ (1 / 3)
end

-- What is wrong with a limiter's numbers (nil when nothing): the ranges
-- in which every wait and every growth back after a cut ends in bounded
-- time. Arguments are numbers or nil.
local function bad_limit(rate, beta, scale, low)
  if not (rate and beta and scale and low) then
    return 'limiter rate, beta, scale and min_rate must be finite numbers'
  elseif not (rate >= 1e-3 and rate <= 1e5) then
    return 'limiter rate must be a number of calls a second in [0.001, 1e5]'
  elseif not (low >= 1e-3 and low <= rate) then
    return 'limiter min_rate must be in [0.001, rate]'
  elseif not (beta > 0 and beta < 1) then
    return 'limiter beta must be a factor in (0, 1)'
  elseif not (scale > 0 and scale <= 1e9) then
    return 'limiter scale must be a number in (0, 1e9]'
  end
  local g = regrowth(rate, beta, scale)
  if not (g <= MAX_REGROWTH) then
    return format('limiter scale %.3g is too small for rate %.3g: a cut ' ..
      'would take up to %.3g s to grow back (at most %d)', scale, rate, g,
      MAX_REGROWTH)
  end
end

local function bad_take(cost, burst)
  if not (burst and burst >= 1 and burst <= 1e9) then
    return 'limiter burst must be a number of calls in [1, 1e9]'
  elseif not (cost and cost > 0 and cost <= burst) then
    return 'limiter cost must be a number of calls in (0, burst]'
  end
end

local function bad_hold(hold)
  if not (hold and hold >= 0 and hold <= 3600) then
    return 'limiter hold must be a number of seconds in [0, 3600]'
  end
end

-- The time of the last cut as seen at now: a clock stepped back behind
-- it makes the cut now (a pause, not a cut in the future that keeps the
-- rate at its floor until the clock gets there again).
local function cut_time(now, f)
  if f and f - now > SLACK then return now end
  return f
end

local function rate_at(now, rate, m, f, beta, scale, low)
  if not m or not f then return rate end
  local d = now - f - (m * (1 - beta) / scale) ^ (1 / 3)
  local r = scale * d * d * d + m
  if r > rate then r = rate end
  if r < low then r = low end
  return r
end

-- GCRA: 0 and the arrival time to keep when cost calls may go, else the
-- wait, and the arrival time to keep when it moved. A debt beyond an
-- empty bucket (the clock stepped back, or the rate grew since) is cut to
-- an empty bucket: the calls then go at the rate, from now.
local function admit(now, tat, r, burst, cost)
  local t = 1 / r
  local full, moved = burst * t, false
  if not tat or tat < now then
    tat = now
  elseif tat - now - full > SLACK then
    tat, moved = now + full, true
  end
  local new = tat + cost * t
  local wait = new - now - full
  if wait > t * 1e-6 then
    if moved then return wait, tat end
    return wait
  end
  return 0, new
end

local function ttl(now, tat, rate, m, f, beta, scale)
  local left = (tat or now) - now
  if m and f then
    local up = rate - m
    if up < 0 then up = 0 end
    local back = f + (m * (1 - beta) / scale) ^ (1 / 3) +
      (up / scale) ^ (1 / 3) - now
    if back > left then left = back end
  end
  if not (left >= 0) then left = 0 end
  if left > MAX_LIFE then left = MAX_LIFE end
  return left + 1
end
]]

local load = rawget(_G, "loadstring") or load
local num, bad_limit, bad_take, bad_hold, cut_time, rate_at, admit, ttl =
  assert(load(MATH .. " return num, bad_limit, bad_take, bad_hold, " ..
    "cut_time, rate_at, admit, ttl", "=imerr.store.math"))()

-- Whether v is a finite number (not a string that reads as one).
local function finite(v)
  return type(v) == "number" and num(v) ~= nil
end


-- p -> the numbers last found good in it: a limiter is checked once, and
-- again only when its numbers change, not at every call.
local checked = setmetatable({}, { __mode = "k" })

local function number_or_nil(v)
  if type(v) == "number" then return v end
end

-- What is wrong with the limiter p that an operation was given (its
-- rate, burst, beta, scale, min_rate and hold), or nil; ratelimit.new
-- asks it too. (The range checks refuse NaN and infinities.)
local function bad_params(p)
  local g = checked[p]
  if g and g[1] == p.rate and g[2] == p.beta and g[3] == p.scale and
    g[4] == p.min_rate and g[5] == p.burst and g[6] == p.hold then
    return nil
  end
  if type(p) ~= "table" then
    return "store operations need the limiter's numbers (a table)"
  end
  local rate, beta = number_or_nil(p.rate), number_or_nil(p.beta)
  local scale, low = number_or_nil(p.scale), number_or_nil(p.min_rate)
  local burst, hold = number_or_nil(p.burst), number_or_nil(p.hold)
  local bad = bad_limit(rate, beta, scale, low) or bad_take(1, burst) or
    bad_hold(hold)
  if not bad then checked[p] = { rate, beta, scale, low, burst, hold } end
  return bad
end

-- As bad_params, for admit: also the calls taken.
local function bad_admit(p, cost)
  local bad = bad_params(p)
  if bad then return bad end
  if type(cost) ~= "number" or not (cost > 0 and cost <= p.burst) then
    return "limiter cost must be a number of calls in (0, burst]"
  end
end


_M.MATH, _M.num, _M.cut_time, _M.rate_at, _M.admit, _M.ttl = MATH, num,
  cut_time, rate_at, admit, ttl
--- Whether v is a finite number; what is wrong with a limiter's numbers
-- (nil when nothing); the same for admit, with the calls taken.
_M.finite, _M.bad_params, _M.bad_admit = finite, bad_params, bad_admit

return _M
