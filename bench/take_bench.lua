-- limiter:take() on each store, next to the same store operation done bare:
-- memory (a table update), Redis over loopback (one INCR round trip, with
-- the same client). The shared dict is measured inside nginx by
-- bench/take_nginx.sh. Wall-clock ns per call, the median of five rounds;
-- each ratio compares two loops timed back to back.
--   take_bench.lua [N] [host:port of a Redis]
local socket = require "socket"
local store = require "imerr.store"
local ratelimit = require "imerr.ratelimit"

local N = tonumber(arg and arg[1]) or 200000
local REDIS = arg and arg[2]
local now = socket.gettime
local ROUNDS = 5

local function median(t)
  table.sort(t)
  return t[math.floor((#t + 1) / 2)]
end

local function once(f, n)
  local t0 = now()
  f(n)
  return (now() - t0) / n * 1e9
end

-- Median ns of run and median ratio to base, timed back to back.
local function timed(run, base, n)
  run(math.min(n, 1000))
  base(math.min(n, 1000))
  local ns, bs, ratios = {}, {}, {}
  for i = 1, ROUNDS do
    bs[i] = once(base, n)
    ns[i] = once(run, n)
    ratios[i] = ns[i] / bs[i]
  end
  return median(ns), median(bs), median(ratios)
end

local function report(name, bare, run, base, n)
  local ns, b, ratio = timed(run, base, n)
  print(("%-34s %10.1f ns   bare %-22s %10.1f ns   %6.2fx")
    :format(name, ns, bare, b, ratio))
end

print(("take() per store, %s (%s); N = %d"):format(_VERSION,
  rawget(_G, "jit") and jit.version or "no JIT", N))

-- A limiter that always admits, so every call does the whole operation.
local OPEN = { rate = 1e5, burst = 1e9 }

do
  local s = store.memory()
  local opts = { store = s, key = "bench" }
  for k, v in pairs(OPEN) do opts[k] = v end
  local l = assert(ratelimit.new(opts))
  local values = {}
  report("memory, limiter:take()", "table update", function(n)
    for _ = 1, n do l:take() end
  end, function(n)
    for _ = 1, n do values.k = (values.k or 0) + 1 end
  end, N * 5)
  -- The clock is part of take(): the default clock bare (a C function,
  -- which LuaJIT cannot compile a call of), then take() with a Lua clock.
  local clock = s.clock
  report("memory, limiter:take()", "default clock() call", function(n)
    for _ = 1, n do l:take() end
  end, function(n)
    for _ = 1, n do clock() end
  end, N * 5)
  local t = 0
  local fixed = assert(ratelimit.new { rate = 1e5, burst = 1e9, key = "b",
    store = store.memory { clock = function() t = t + 1e-3 return t end } })
  report("memory, take(), a Lua clock", "table update", function(n)
    for _ = 1, n do fixed:take() end
  end, function(n)
    for _ = 1, n do values.k = (values.k or 0) + 1 end
  end, N * 5)
end

if REDIS then
  local ok, redis = pcall(require, "redis")
  if not ok then
    package.path = package.path .. ";/usr/share/lua/5.3/?.lua"
    redis = require "redis"
  end
  local host, port = REDIS:match("^(.-):(%d+)$")
  local client = redis.connect(host, tonumber(port))
  local key = "imerr:bench:" .. os.time()
  local opts = { store = store.redis(client), key = key }
  for k, v in pairs(OPEN) do opts[k] = v end
  local l = assert(ratelimit.new(opts))
  local n = math.max(1, math.floor(N / 10))
  report("redis, limiter:take()", "INCR round trip", function(m)
    for _ = 1, m do assert(l:take() == 0) end
  end, function(m)
    for _ = 1, m do client:incr(key .. ":incr") end
  end, n)
  local s = store.redis(client)
  report("redis, budget take (bucket)", "INCR round trip", function(m)
    for _ = 1, m do s:bucket(key .. ":b", -1, 1e12, 1e12) end
  end, function(m)
    for _ = 1, m do client:incr(key .. ":incr") end
  end, n)
  client:del(key, key .. ":incr", key .. ":b")
end
