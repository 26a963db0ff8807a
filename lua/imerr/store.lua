--- imerr.store: where the retry budget (imerr.budget) and the rate limiter
-- (imerr.ratelimit) keep their state. Three stores answer the same
-- operations, each atomic in its store:
--   store.memory()        one Lua state;
--   store.shared(dict)    every worker of one nginx (an ngx.shared.DICT);
--   store.redis(client)   a fleet: every operation is one Lua script run
--                         on Redis (EVALSHA, falling back to EVAL).
-- Operations give nil and a message when the store fails; none raises.
--   s:get(key) -> number, or nil when absent
--   s:incr(key, delta, init) -> the new value (init when absent)
--   s:bucket(key, delta, capacity, init) -> value, applied: adds delta
--     unless the value would fall below 0, never above capacity
--   s:admit(key, cost, limiter) -> 0 when the calls may go (and counts
--     them), else the seconds to wait (counting nothing)
--   s:cut(key, limiter) -> the rate now, and whether it was cut
--   s:rate(key, limiter) -> the rate now
-- @module imerr.store
local private = require "imerr._private"

local type, tonumber, tostring, pcall = type, tonumber, tostring, pcall
local setmetatable, find, format = setmetatable, string.find, string.format
local huge = math.huge

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
-- by the configured rate and floored by min_rate.
local MATH = [[
local tonumber, huge = tonumber, math.huge
local function num(x)
  x = tonumber(x)
  if x and x == x and x ~= huge and x ~= -huge then return x end
end

local function rate_at(now, rate, m, f, beta, scale, low)
  if not m or not f then return rate end
  local d = now - f - (m * (1 - beta) / scale) ^ (1 / 3)
  local r = scale * d * d * d + m
  if r > rate then r = rate end
  if r < low then r = low end
  return r
end

local function admit(now, tat, r, burst, cost)
  local t = 1 / r
  if not tat or tat < now then tat = now end
  local new = tat + cost * t
  local wait = new - now - burst * t
  if wait > t * 1e-6 then return wait end
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
  return left + 1
end
]]

local load = rawget(_G, "loadstring") or load
local num, rate_at, admit, ttl = assert(load(MATH ..
  " return num, rate_at, admit, ttl", "=imerr.store.math"))()
-- The finite number x reads as (a number or a numeric string), or nil:
-- the stores' reading of what they hold (imerr._private.number).
private.number = num

---------------------------------------------------------------------------
-- Memory: plain tables, for one Lua state.
-- @section memory

local default_clock = private.default_clock

local function clock_option(opts)
  if opts == nil then return default_clock() end
  if type(opts) ~= "table" then return nil, "store options must be a table" end
  if opts.clock == nil then return default_clock() end
  if type(opts.clock) ~= "function" then
    return nil, "store clock must be a function"
  end
  return opts.clock
end

-- The clock's time, or nil and a message.
local function read_clock(clock)
  local ok, now = pcall(clock)
  if ok and type(now) == "number" and now == now and now ~= huge and
    now ~= -huge then
    return now
  end
  return nil, "store clock gave no finite number"
end

-- Whether v is a finite number (not a string that reads as one).
local function finite(v)
  return type(v) == "number" and num(v) ~= nil
end
private.finite = finite

local function bad_number(what)
  return nil, what .. " must be a finite number"
end

local Memory = {}
Memory.__index = Memory

--- store.memory{ clock = fn } -> a store for one Lua state. The clock
-- (seconds, ngx.now or socket.gettime by default) serves the limiter.
-- @tparam[opt] table opts { clock = function }
-- @treturn Memory a store
-- @return[2] nil
-- @treturn[2] string what is wrong with opts
function _M.memory(opts)
  local clock, err = clock_option(opts)
  if not clock then return nil, err end
  return setmetatable({ values = {}, tat = {}, wmax = {}, cut_at = {},
    clock = clock }, Memory)
end

--- A store for one Lua state, made by store.memory. Every store has
-- these methods; each answers nil and a message when its store fails.
-- @type Memory

--- The number at key, or nil when absent.
-- @string key the key
-- @treturn[opt] number
function Memory:get(key)
  return self.values[key]
end

--- Adds delta to the number at key (init when absent).
-- @string key the key
-- @number delta what to add
-- @number init the value of an absent key
-- @treturn number the new value
-- @return[2] nil
-- @treturn[2] string when a number is not finite, or the store fails
function Memory:incr(key, delta, init)
  if not finite(delta) or not finite(init) then
    return bad_number("delta and init")
  end
  local v = (self.values[key] or init) + delta
  self.values[key] = v
  return v
end

--- Adds delta to the number at key (init when absent) unless the value
-- would fall below 0; never above capacity.
-- @string key the key
-- @number delta what to add (negative to take)
-- @number capacity the largest value
-- @number init the value of an absent key
-- @treturn number the value now
-- @treturn boolean whether delta was applied
-- @return[2] nil
-- @treturn[2] string when a number is not finite, or the store fails
function Memory:bucket(key, delta, capacity, init)
  if not finite(delta) or not finite(capacity) or not finite(init) then
    return bad_number("delta, capacity and init")
  end
  local v = self.values[key] or init
  if v + delta < 0 then return v, false end
  v = v + delta
  if v > capacity then v = capacity end
  self.values[key] = v
  return v, true
end

--- The limiter's admission: 0 when cost calls may go (and counts them),
-- else the seconds to wait (counting nothing).
-- @string key the limiter's key
-- @number cost the calls
-- @param p the limiter: its rate, burst, beta, scale, min_rate, hold
-- @treturn number 0 or the seconds to wait
-- @return[2] nil
-- @treturn[2] string when the clock or the store fails
function Memory:admit(key, cost, p)
  local now, err = read_clock(self.clock)
  if not now then return nil, err end
  local r = rate_at(now, p.rate, self.wmax[key], self.cut_at[key], p.beta,
    p.scale, p.min_rate)
  local wait, tat = admit(now, self.tat[key], r, p.burst, cost)
  if tat then self.tat[key] = tat end
  return wait
end

--- The limiter's rate now (calls a second).
-- @string key the limiter's key
-- @param p the limiter: its rate, burst, beta, scale, min_rate, hold
-- @treturn number the rate
-- @return[2] nil
-- @treturn[2] string when the clock or the store fails
function Memory:rate(key, p)
  local now, err = read_clock(self.clock)
  if not now then return nil, err end
  return rate_at(now, p.rate, self.wmax[key], self.cut_at[key], p.beta,
    p.scale, p.min_rate)
end

--- Cuts the limiter's rate after a throttling answer, unless it was cut
-- less than hold seconds ago.
-- @string key the limiter's key
-- @param p the limiter: its rate, burst, beta, scale, min_rate, hold
-- @treturn number the rate now
-- @treturn boolean whether it was cut
-- @return[2] nil
-- @treturn[2] string when the clock or the store fails
function Memory:cut(key, p)
  local now, err = read_clock(self.clock)
  if not now then return nil, err end
  local f = self.cut_at[key]
  local r = rate_at(now, p.rate, self.wmax[key], f, p.beta, p.scale,
    p.min_rate)
  if f and now >= f and now - f < p.hold then return r, false end
  self.wmax[key], self.cut_at[key] = r, now
  return rate_at(now, p.rate, r, now, p.beta, p.scale, p.min_rate), true
end

---------------------------------------------------------------------------
-- Shared dict: every worker of one nginx. A dict has no compare-and-set,
-- so read-modify-write operations hold a lock: a key added with a short
-- expiry (add is atomic). Workers never yield inside, so the lock is held
-- for microseconds; the expiry frees it should a worker die holding it.
-- @section shared

local LOCK_TTL, LOCK_SPINS, LOCK_WAIT = 0.01, 1000, 0.001

local Shared = {}
Shared.__index = Shared

local DICT_METHODS = { "get", "set", "add", "incr", "delete" }

local function check_dict(dict)
  for _, name in ipairs(DICT_METHODS) do
    if type(dict[name]) ~= "function" then return false end
  end
  return true
end

--- store.shared(dict, { clock = fn }) -> a store in an ngx.shared.DICT
-- (ngx.now by default for the clock), or nil and a message.
-- @param dict an ngx.shared.DICT
-- @tparam[opt] table opts { clock = function }
-- @treturn Shared a store
-- @return[2] nil
-- @treturn[2] string what is wrong with dict or opts
function _M.shared(dict, opts)
  local ok, good = pcall(check_dict, dict)
  if not ok or not good then
    return nil, "store.shared needs an ngx.shared.DICT"
  end
  local clock, err = clock_option(opts)
  if not clock then return nil, err end
  return setmetatable({ dict = dict, clock = clock }, Shared)
end

--- A store in an ngx.shared.DICT, made by store.shared: the methods of
-- Memory, atomic between the workers of one nginx.
-- @type Shared

--- As Memory:get.
-- @string key the key
-- @treturn[opt] number
-- @return[2] nil
-- @treturn[2] string when the dict fails or holds no finite number
function Shared:get(key)
  local ok, v, err = pcall(self.dict.get, self.dict, key)
  if not ok then return nil, tostring(v) end
  if v == nil then
    if err then return nil, tostring(err) end
    return nil
  end
  v = num(v)
  if not v then return nil, "shared dict holds no finite number at " .. key end
  return v
end

--- As Memory:incr.
-- @string key the key
-- @number delta what to add
-- @number init the value of an absent key
-- @treturn number the new value
-- @return[2] nil
-- @treturn[2] string why not
function Shared:incr(key, delta, init)
  if not finite(delta) or not finite(init) then
    return bad_number("delta and init")
  end
  local ok, v, err = pcall(self.dict.incr, self.dict, key, delta, init)
  if not ok then return nil, tostring(v) end
  if not num(v) then return nil, tostring(err or "shared dict incr failed") end
  return v
end

-- Runs f(self, ...) holding the lock of key; a busy lock gives LOCK_WAIT
-- as f's answer and the lock's error as second value.
local function locked(self, key, f, ...)
  local dict, lock = self.dict, key .. ":lock"
  local held = false
  for _ = 1, LOCK_SPINS do
    local ok, added, err = pcall(dict.add, dict, lock, true, LOCK_TTL)
    if not ok then return nil, tostring(added) end
    if added then held = true break end
    if err ~= "exists" then
      return nil, "shared dict lock: " .. tostring(err)
    end
  end
  if not held then return LOCK_WAIT, "busy" end
  local ok, a, b = pcall(f, self, ...)
  dict:delete(lock)
  if not ok then return nil, tostring(a) end
  return a, b
end

local function set(dict, key, value, exptime)
  local ok, err = dict:set(key, value, exptime)
  if not ok then error("shared dict set failed: " .. tostring(err), 0) end
end

local function bucket_locked(self, key, delta, capacity, init)
  local dict = self.dict
  local v = dict:get(key)
  if v == nil then v = init else v = num(v) end
  if not v then error("shared dict holds no finite number at " .. key, 0) end
  if v + delta < 0 then return v, false end
  v = v + delta
  if v > capacity then v = capacity end
  set(dict, key, v)
  return v, true
end

--- As Memory:bucket, under the key's lock.
-- @string key the key
-- @number delta what to add (negative to take)
-- @number capacity the largest value
-- @number init the value of an absent key
-- @treturn number the value now
-- @treturn boolean whether delta was applied
-- @return[2] nil
-- @treturn[2] string why not
function Shared:bucket(key, delta, capacity, init)
  if not finite(delta) or not finite(capacity) or not finite(init) then
    return bad_number("delta, capacity and init")
  end
  local v, applied = locked(self, key, bucket_locked, key, delta, capacity,
    init)
  if applied == "busy" then return nil, "shared dict busy" end
  return v, applied
end

-- The limiter's state in the dict: key..":t", key..":m", key..":f".
local function state(self, key, p)
  local dict = self.dict
  local now, err = read_clock(self.clock)
  if not now then error(err, 0) end
  local m, f = num(dict:get(key .. ":m")), num(dict:get(key .. ":f"))
  return now, m, f, rate_at(now, p.rate, m, f, p.beta, p.scale, p.min_rate)
end

local function admit_locked(self, key, cost, p)
  local now, _, _, r = state(self, key, p)
  local tk = key .. ":t"
  local wait, tat = admit(now, num(self.dict:get(tk)), r, p.burst, cost)
  if tat then set(self.dict, tk, tat, tat - now + 1) end
  return wait
end

--- Exact between workers: admission happens under the lock, with each
-- worker's clock; a worker whose cached ngx.now lags admits less, never
-- more. When the lock stays busy, the answer is to ask again in 1 ms.
-- Otherwise as Memory:admit.
-- @string key the limiter's key
-- @number cost the calls
-- @param p the limiter: its rate, burst, beta, scale, min_rate, hold
-- @treturn number 0 or the seconds to wait
-- @return[2] nil
-- @treturn[2] string why not
function Shared:admit(key, cost, p)
  local wait, err = locked(self, key, admit_locked, key, cost, p)
  if wait == nil then return nil, err end
  return wait
end

--- As Memory:rate.
-- @string key the limiter's key
-- @param p the limiter: its rate, burst, beta, scale, min_rate, hold
-- @treturn number the rate
-- @return[2] nil
-- @treturn[2] string why not
function Shared:rate(key, p)
  local ok, now, _, _, r = pcall(state, self, key, p)
  if not ok then return nil, tostring(now) end
  return r
end

local function cut_locked(self, key, p)
  local now, _, f, r = state(self, key, p)
  if f and now >= f and now - f < p.hold then return r, false end
  local life = ttl(now, nil, p.rate, r, now, p.beta, p.scale)
  set(self.dict, key .. ":m", r, life)
  set(self.dict, key .. ":f", now, life)
  return rate_at(now, p.rate, r, now, p.beta, p.scale, p.min_rate), true
end

--- As Memory:cut, under the key's lock.
-- @string key the limiter's key
-- @param p the limiter: its rate, burst, beta, scale, min_rate, hold
-- @treturn number the rate now
-- @treturn boolean whether it was cut
-- @return[2] nil
-- @treturn[2] string why not
function Shared:cut(key, p)
  local r, cut = locked(self, key, cut_locked, key, p)
  if r == nil then return nil, cut end
  if cut == "busy" then return nil, "shared dict busy" end
  return r, cut
end

---------------------------------------------------------------------------
-- Redis: a fleet. Each operation is one script, so it is atomic on the
-- server; the limiter uses the server's clock (TIME), the one clock a
-- fleet shares. Times are kept as seconds since 1.6e9 for double
-- precision, numbers are written with %.17g and returned as strings
-- (Redis would truncate Lua numbers to integers). Needs Redis >= 5
-- (scripts that read TIME write).
-- @section redis

local PRELUDE = MATH .. [[
local function fmt(x) return string.format('%.17g', x) end
local key = KEYS[1]
]]
local CLOCK = [[
local tm = redis.call('TIME')
local now = (tonumber(tm[1]) - 1.6e9) + tonumber(tm[2]) * 1e-6
]]

-- The source of every script; their SHA-1 digests are checked by the
-- specs against the server's.
local SOURCES = {
  get = "return redis.call('GET', KEYS[1])",
  incr = PRELUDE .. [[
local v = num(redis.call('GET', key)) or num(ARGV[2])
v = v + num(ARGV[1])
redis.call('SET', key, fmt(v))
return fmt(v)
]],
  bucket = PRELUDE .. [[
local v = num(redis.call('GET', key)) or num(ARGV[3])
local d, cap = num(ARGV[1]), num(ARGV[2])
if v + d < 0 then return { fmt(v), 0 } end
v = v + d
if v > cap then v = cap end
redis.call('SET', key, fmt(v))
return { fmt(v), 1 }
]],
  admit = PRELUDE .. CLOCK .. [[
local cost, rate, burst = num(ARGV[1]), num(ARGV[2]), num(ARGV[3])
local beta, scale, low = num(ARGV[4]), num(ARGV[5]), num(ARGV[6])
local s = redis.call('HMGET', key, 't', 'm', 'f')
local m, f = num(s[2]), num(s[3])
local wait, tat = admit(now, num(s[1]),
  rate_at(now, rate, m, f, beta, scale, low), burst, cost)
if tat then
  redis.call('HSET', key, 't', fmt(tat))
  redis.call('PEXPIRE', key,
    math.ceil(ttl(now, tat, rate, m, f, beta, scale) * 1000))
end
return fmt(wait)
]],
  rate = PRELUDE .. CLOCK .. [[
local s = redis.call('HMGET', key, 'm', 'f')
return fmt(rate_at(now, num(ARGV[1]), num(s[1]), num(s[2]), num(ARGV[2]),
  num(ARGV[3]), num(ARGV[4])))
]],
  cut = PRELUDE .. CLOCK .. [[
local rate, beta, scale = num(ARGV[1]), num(ARGV[2]), num(ARGV[3])
local low, hold = num(ARGV[4]), num(ARGV[5])
local s = redis.call('HMGET', key, 't', 'm', 'f')
local f = num(s[3])
local r = rate_at(now, rate, num(s[2]), f, beta, scale, low)
if f and now >= f and now - f < hold then return { fmt(r), 0 } end
redis.call('HSET', key, 'm', fmt(r), 'f', fmt(now))
redis.call('PEXPIRE', key,
  math.ceil(ttl(now, num(s[1]), rate, r, now, beta, scale) * 1000))
return { fmt(rate_at(now, rate, r, now, beta, scale, low)), 1 }
]],
}
--- The Lua source of each Redis script, by operation (get, incr,
-- bucket, admit, rate, cut).
-- (A copy: the stores run their own.)
-- @table scripts
_M.scripts = {}
for name, src in pairs(SOURCES) do _M.scripts[name] = src end

-- SHA-1 of each source (the specs recompute them).
local SHAS = {
  get = "d3c21d0c2b9ca22f82737626a27bcaf5d288f99f",
  incr = "a29225552caeafd8d2b78f3c5b6c9e1c9789b7d7",
  bucket = "9244d96cd3641337fb37bcacf52dc28736de9780",
  admit = "41743f2b4afa2a5c910511217d45c6c58021f472",
  rate = "133c207e0813f3d14dcefdf976f7eb5c25b4213b",
  cut = "6602edb36d0d17c944dfbe6e51d5a54129fe85c5",
}
--- The SHA-1 of each script's source, by operation (EVALSHA's names).
-- (A copy: the stores use their own.)
-- @table script_shas
_M.script_shas = {}
for name, sha in pairs(SHAS) do _M.script_shas[name] = sha end

local Redis = {}
Redis.__index = Redis

local function method(client, name)
  return type(client[name]) == "function"
end

local function invoke(client, name, ...)
  return client[name](client, ...)
end

--- store.redis(client, { release = fn }) -> a store on Redis, or nil and a
-- message. client is a connected client with eval(script, numkeys, ...)
-- (lua-resty-redis, redis-lua), or a function returning one (or nil and a
-- message), called for each operation; release(client, err) is then called
-- after it (err nil on success), e.g. to give the connection back to a
-- pool, or to drop it after an error so that the next call reconnects.
-- @param client a client with eval, or a function returning one
-- @tparam[opt] table opts { release = function }
-- @treturn Redis a store
-- @return[2] nil
-- @treturn[2] string what is wrong with client or opts
function _M.redis(client, opts)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then return nil, "store options must be a table" end
  local s = setmetatable({}, Redis)
  if type(client) == "function" then
    s.connect = client
  else
    local ok, good = pcall(method, client, "eval")
    if not ok or not good then
      return nil, "store.redis needs a client with eval, or a function " ..
        "that returns one"
    end
    s.client = client
  end
  if opts.release ~= nil and type(opts.release) ~= "function" then
    return nil, "store release must be a function"
  end
  s.release = opts.release
  return s
end

-- Runs one script with key and args: the reply, or nil and a message.
local function run(self, name, key, ...)
  local client = self.client
  if not client then
    local ok, c, err = pcall(self.connect)
    if not ok then return nil, "redis connect failed: " .. tostring(c) end
    if type(c) ~= "table" then
      return nil, "redis connect failed: " .. tostring(err)
    end
    client = c
  end
  local res, err
  -- EVAL when the client has no EVALSHA, or the server lacks the script.
  local by_source = true
  local ok, has_sha = pcall(method, client, "evalsha")
  if ok and has_sha then
    ok, res, err = pcall(invoke, client, "evalsha", SHAS[name], 1, key, ...)
    if not ok then res, err = nil, res end
    by_source = res == nil and find(tostring(err), "NOSCRIPT", 1, true) ~= nil
  end
  if by_source then
    ok, res, err = pcall(invoke, client, "eval", SOURCES[name], 1, key, ...)
    if not ok then res, err = nil, res end
  end
  if res == nil and err ~= nil then err = "redis: " .. tostring(err) end
  if self.release then pcall(self.release, client, err) end
  if err then return nil, err end
  return res
end

local function bad_reply(res)
  return nil, "redis: unexpected reply " .. tostring(res)
end

--- A store on Redis, made by store.redis: the methods of Memory, each
-- one script run on the server, with the server's clock.
-- @type Redis

--- As Memory:get.
-- @string key the key
-- @treturn[opt] number
-- @return[2] nil
-- @treturn[2] string when Redis fails or holds no finite number
function Redis:get(key)
  local res, err = run(self, "get", key)
  if err then return nil, err end
  if type(res) ~= "string" and type(res) ~= "number" then return nil end
  local v = num(res)
  if not v then return nil, "redis holds no finite number at " .. key end
  return v
end

--- As Memory:incr.
-- @string key the key
-- @number delta what to add
-- @number init the value of an absent key
-- @treturn number the new value
-- @return[2] nil
-- @treturn[2] string why not
function Redis:incr(key, delta, init)
  if not finite(delta) or not finite(init) then
    return bad_number("delta and init")
  end
  local res, err = run(self, "incr", key, format("%.17g", delta),
    format("%.17g", init))
  if err then return nil, err end
  return num(res) or bad_reply(res)
end

-- A reply { value, flag } as value, flag == 1.
local function pair(res, err)
  if err then return nil, err end
  local v = type(res) == "table" and num(res[1])
  if not v then return bad_reply(res) end
  return v, tonumber(res[2]) == 1
end

--- As Memory:bucket.
-- @string key the key
-- @number delta what to add (negative to take)
-- @number capacity the largest value
-- @number init the value of an absent key
-- @treturn number the value now
-- @treturn boolean whether delta was applied
-- @return[2] nil
-- @treturn[2] string why not
function Redis:bucket(key, delta, capacity, init)
  if not finite(delta) or not finite(capacity) or not finite(init) then
    return bad_number("delta, capacity and init")
  end
  return pair(run(self, "bucket", key, format("%.17g", delta),
    format("%.17g", capacity), format("%.17g", init)))
end

--- As Memory:admit, with the server's clock.
-- @string key the limiter's key
-- @number cost the calls
-- @param p the limiter: its rate, burst, beta, scale, min_rate, hold
-- @treturn number 0 or the seconds to wait
-- @return[2] nil
-- @treturn[2] string why not
function Redis:admit(key, cost, p)
  local res, err = run(self, "admit", key, cost, p.rate, p.burst, p.beta,
    p.scale, p.min_rate)
  if err then return nil, err end
  local wait = num(res)
  if not wait or wait < 0 then return bad_reply(res) end
  return wait
end

--- As Memory:rate, with the server's clock.
-- @string key the limiter's key
-- @param p the limiter: its rate, burst, beta, scale, min_rate, hold
-- @treturn number the rate
-- @return[2] nil
-- @treturn[2] string why not
function Redis:rate(key, p)
  local res, err = run(self, "rate", key, p.rate, p.beta, p.scale, p.min_rate)
  if err then return nil, err end
  return num(res) or bad_reply(res)
end

--- As Memory:cut, with the server's clock.
-- @string key the limiter's key
-- @param p the limiter: its rate, burst, beta, scale, min_rate, hold
-- @treturn number the rate now
-- @treturn boolean whether it was cut
-- @return[2] nil
-- @treturn[2] string why not
function Redis:cut(key, p)
  return pair(run(self, "cut", key, p.rate, p.beta, p.scale, p.min_rate,
    p.hold))
end

--- Checks.
-- @section checks

--- Whether s has every operation of an imerr store.
-- @param s any value
-- @treturn boolean
function _M.is_store(s)
  local mt = getmetatable(s)
  return mt == Memory or mt == Shared or mt == Redis
end

return _M
