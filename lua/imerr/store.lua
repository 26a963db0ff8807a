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
-- The limiter operations check the limiter's numbers first (the ranges of
-- imerr.ratelimit.new), and take a clock that steps back as a pause.
-- @module imerr.store
local private = require "imerr._private"
local limits = require "imerr._limits"

local type, tonumber, tostring, pcall = type, tonumber, tostring, pcall
local setmetatable, find, format = setmetatable, string.find, string.format

local _M = {}

local MATH, num, cut_time, rate_at, admit, ttl = limits.MATH, limits.num,
  limits.cut_time, limits.rate_at, limits.admit, limits.ttl
local finite, bad_params, bad_admit = limits.finite, limits.bad_params,
  limits.bad_admit

local function bad_number(what)
  return nil, what .. " must be a finite number"
end

---------------------------------------------------------------------------
-- Memory: plain tables, for one Lua state.
-- @section memory

local default_clock = private.default_clock

-- opts as a table whose keys are all in allowed (a set), or nil and a
-- message.
local function options(opts, allowed)
  if opts == nil then return {} end
  if type(opts) ~= "table" then return nil, "store options must be a table" end
  for k in pairs(opts) do
    if not allowed[k] then
      return nil, "unknown store option " .. tostring(k)
    end
  end
  if opts.clock ~= nil and type(opts.clock) ~= "function" then
    return nil, "store clock must be a function"
  end
  return opts
end

local CLOCK_ONLY = { clock = true }

local function clock_option(opts)
  local err
  opts, err = options(opts, CLOCK_ONLY)
  if not opts then return nil, err end
  return opts.clock or default_clock()
end

-- The clock's time, or nil and a message.
local function read_clock(clock)
  local ok, now = pcall(clock)
  if ok and finite(now) then return now end
  return nil, "store clock gave no finite number"
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

-- The clock's time, the cut time (moved to now when the clock stepped
-- back, and kept) and the rate now; or nil and a message.
local function memory_state(self, key, p)
  local now, err = read_clock(self.clock)
  if not now then return nil, err end
  local f = cut_time(now, self.cut_at[key])
  self.cut_at[key] = f
  return now, f, rate_at(now, p.rate, self.wmax[key], f, p.beta, p.scale,
    p.min_rate)
end

--- The limiter's admission: 0 when cost calls may go (and counts them),
-- else the seconds to wait (counting nothing). After the clock stepped
-- back, at most one call's time at the rate.
-- @string key the limiter's key
-- @number cost the calls
-- @param p the limiter: its rate, burst, beta, scale, min_rate, hold
-- @treturn number 0 or the seconds to wait
-- @return[2] nil
-- @treturn[2] string when the clock or the store fails
function Memory:admit(key, cost, p)
  local bad = bad_admit(p, cost)
  if bad then return nil, bad end
  local now, f, r = memory_state(self, key, p)
  if not now then return nil, f end
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
  local bad = bad_params(p)
  if bad then return nil, bad end
  local now, f, r = memory_state(self, key, p)
  if not now then return nil, f end
  return r
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
  local bad = bad_params(p)
  if bad then return nil, bad end
  local now, f, r = memory_state(self, key, p)
  if not now then return nil, f end
  -- A clock that reads before the cut is within its hold too.
  if f and now - f < p.hold then return r, false end
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

-- The limiter's state in the dict: key..":t", key..":m", key..":f". The
-- time of the cut as seen at now (cut_time), and whether it moved.
local function state(self, key, p)
  local dict = self.dict
  local now, err = read_clock(self.clock)
  if not now then error(err, 0) end
  local m, f = num(dict:get(key .. ":m")), num(dict:get(key .. ":f"))
  local g = cut_time(now, f)
  return now, m, g, rate_at(now, p.rate, m, g, p.beta, p.scale, p.min_rate),
    g ~= f
end

-- Keeps a cut that a clock stepped back moved to now, with its rate, for
-- as long as it matters.
local function keep_cut(self, key, p, now, m, f)
  local life = ttl(now, nil, p.rate, m, f, p.beta, p.scale)
  set(self.dict, key .. ":m", m, life)
  set(self.dict, key .. ":f", f, life)
end

-- state, with a cut that a clock stepped back moved kept (under the
-- key's lock): the time, the cut time and the rate now.
local function locked_state(self, key, p)
  local now, m, f, r, moved = state(self, key, p)
  if moved and m then keep_cut(self, key, p, now, m, f) end
  return now, f, r
end

local function admit_locked(self, key, cost, p)
  local now, _, r = locked_state(self, key, p)
  local tk = key .. ":t"
  local wait, tat = admit(now, num(self.dict:get(tk)), r, p.burst, cost)
  if tat then set(self.dict, tk, tat, tat - now + 1) end
  return wait
end

local function rate_locked(self, key, p)
  local _, _, r = locked_state(self, key, p)
  return r
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
  local bad = bad_admit(p, cost)
  if bad then return nil, bad end
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
  local bad = bad_params(p)
  if bad then return nil, bad end
  local ok, now, m, _, r, moved = pcall(state, self, key, p)
  if not ok then return nil, tostring(now) end
  -- A cut that a clock stepped back moved is kept, under the lock; a
  -- busy lock leaves that to the next operation.
  if moved and m then
    local kept, busy = locked(self, key, rate_locked, key, p)
    if kept and busy ~= "busy" then return kept end
  end
  return r
end

local function cut_locked(self, key, p)
  local now, f, r = locked_state(self, key, p)
  -- A clock that reads before the cut is within its hold too.
  if f and now - f < p.hold then return r, false end
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
  local bad = bad_params(p)
  if bad then return nil, bad end
  local r, cut = locked(self, key, cut_locked, key, p)
  if r == nil then return nil, cut end
  if cut == "busy" then return nil, "shared dict busy" end
  return r, cut
end

---------------------------------------------------------------------------
-- Redis: a fleet. Each operation is one script, so it is atomic on the
-- server; the limiter uses the server's clock (TIME), the one clock a
-- fleet shares, unless the store was given a clock (then the caller's
-- time is sent, as the clock gives it). The server's time is kept as
-- seconds since 1.6e9 for double precision; numbers are written with
-- %.17g and returned as strings (Redis would truncate Lua numbers to
-- integers). Needs Redis >= 5 (scripts that read TIME write). A script
-- checks its arguments and computes everything before it writes; its
-- writes come last, with no command after them that can fail, so that an
-- error never leaves state without its expiry.
-- @section redis

local PRELUDE = MATH .. [[
local function fmt(x) return format('%.17g', x) end
-- Milliseconds for PEXPIRE, as the integer text it requires.
local function ms(s) return format('%d', math.ceil(s * 1000)) end
local key = KEYS[1]
-- The caller's time when it sent one (ARGV[i]), else the server's.
local function time(i)
  if ARGV[i] ~= nil then return num(ARGV[i]) end
  local tm = redis.call('TIME')
  return (tonumber(tm[1]) - 1.6e9) + tonumber(tm[2]) * 1e-6
end
local function fail(why) return redis.error_reply('imerr: ' .. why) end
]]
local NO_TIME = "the clock gave no finite number"

-- The source of every script; their SHA-1 digests are checked by the
-- specs against the server's.
local SOURCES = {
  get = "return redis.call('GET', KEYS[1])",
  incr = PRELUDE .. [[
local d, init = num(ARGV[1]), num(ARGV[2])
if not (d and init) then return fail('delta and init must be finite') end
local v = (num(redis.call('GET', key)) or init) + d
redis.call('SET', key, fmt(v))
return fmt(v)
]],
  bucket = PRELUDE .. [[
local d, cap, init = num(ARGV[1]), num(ARGV[2]), num(ARGV[3])
if not (d and cap and init) then
  return fail('delta, capacity and init must be finite')
end
local v = num(redis.call('GET', key)) or init
if v + d < 0 then return { fmt(v), 0 } end
v = v + d
if v > cap then v = cap end
redis.call('SET', key, fmt(v))
return { fmt(v), 1 }
]],
  admit = PRELUDE .. [[
local cost, rate, burst = num(ARGV[1]), num(ARGV[2]), num(ARGV[3])
local beta, scale, low = num(ARGV[4]), num(ARGV[5]), num(ARGV[6])
local bad = bad_limit(rate, beta, scale, low) or bad_take(cost, burst)
if bad then return fail(bad) end
local now = time(7)
if not now then return fail(']] .. NO_TIME .. [[') end
local s = redis.call('HMGET', key, 't', 'm', 'f')
local old, m, f = num(s[1]), num(s[2]), num(s[3])
local g = cut_time(now, f)
local wait, tat = admit(now, old, rate_at(now, rate, m, g, beta, scale, low),
  burst, cost)
local fields = {}
if tat then fields[1], fields[2] = 't', fmt(tat) end
if m and g ~= f then
  fields[#fields + 1], fields[#fields + 2] = 'f', fmt(g)
end
if fields[1] then
  local life = ms(ttl(now, tat or old, rate, m, g, beta, scale))
  redis.call('HSET', key, unpack(fields))
  redis.call('PEXPIRE', key, life)
end
return fmt(wait)
]],
  rate = PRELUDE .. [[
local rate, beta, scale = num(ARGV[1]), num(ARGV[2]), num(ARGV[3])
local low = num(ARGV[4])
local bad = bad_limit(rate, beta, scale, low)
if bad then return fail(bad) end
local now = time(5)
if not now then return fail(']] .. NO_TIME .. [[') end
local s = redis.call('HMGET', key, 't', 'm', 'f')
local m, f = num(s[2]), num(s[3])
local g = cut_time(now, f)
if m and g ~= f then
  local life = ms(ttl(now, num(s[1]), rate, m, g, beta, scale))
  redis.call('HSET', key, 'f', fmt(g))
  redis.call('PEXPIRE', key, life)
end
return fmt(rate_at(now, rate, m, g, beta, scale, low))
]],
  cut = PRELUDE .. [[
local rate, beta, scale = num(ARGV[1]), num(ARGV[2]), num(ARGV[3])
local low, hold = num(ARGV[4]), num(ARGV[5])
local bad = bad_limit(rate, beta, scale, low) or bad_hold(hold)
if bad then return fail(bad) end
local now = time(6)
if not now then return fail(']] .. NO_TIME .. [[') end
local s = redis.call('HMGET', key, 't', 'm', 'f')
local tat, m, f = num(s[1]), num(s[2]), num(s[3])
local g = cut_time(now, f)
local r = rate_at(now, rate, m, g, beta, scale, low)
-- A clock that reads before the cut is within its hold too.
if g and now - g < hold then
  if m and g ~= f then
    local life = ms(ttl(now, tat, rate, m, g, beta, scale))
    redis.call('HSET', key, 'f', fmt(g))
    redis.call('PEXPIRE', key, life)
  end
  return { fmt(r), 0 }
end
local life = ms(ttl(now, tat, rate, r, now, beta, scale))
redis.call('HSET', key, 'm', fmt(r), 'f', fmt(now))
redis.call('PEXPIRE', key, life)
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
  incr = "6c778f1c5f4482cd363f2f4a486d9f038b8625af",
  bucket = "46f77f930088e03ee78860e9b810f69fd3d7373f",
  admit = "6f66bc015c95968303ed39c77951217f008bb109",
  rate = "1f0ff73bc88f1e419e99b503973ebab452e45098",
  cut = "fafe03bb1935ced237d8b81f0b66cde26bdad85e",
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

local REDIS_OPTIONS = { release = true, clock = true }

--- store.redis(client, { release = fn, clock = fn }) -> a store on Redis,
-- or nil and a message. client is a function returning a connected
-- client (or nil and a message), called for each operation, or one
-- connected client. A client has eval(script, numkeys, ...)
-- (lua-resty-redis, redis-lua). After an operation, release(client, err)
-- is called (err nil on success), e.g. to give the connection back to a
-- pool. A client that fails (an error, a timeout, a reply that makes no
-- sense) is closed and never used again: after a timeout the late reply
-- may still come and would be read as the answer of the next command.
-- With a connect function the next operation connects again (it must
-- make a new connection: a client that failed before is refused); a
-- single client makes a store that answers nil and a message for good
-- after its first failure (a limiter then fails open, a budget closed).
-- clock (seconds) replaces the server's time for the limiter: every
-- caller on a key must then share that clock (tests, mostly).
-- @param client a function returning a client, or a client with eval
-- @tparam[opt] table opts { release = function, clock = function }
-- @treturn Redis a store
-- @return[2] nil
-- @treturn[2] string what is wrong with client or opts
function _M.redis(client, opts)
  local err
  opts, err = options(opts, REDIS_OPTIONS)
  if not opts then return nil, err end
  local s = setmetatable({ clock = opts.clock }, Redis)
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

-- Clients that failed, never used again (weak: a closed client goes).
local failed = setmetatable({}, { __mode = "k" })

-- Marks client failed and closes its connection: close (lua-resty-redis)
-- or quit (redis-lua: sends QUIT without waiting, shuts the socket).
local function drop(client)
  failed[client] = true
  for _, name in ipairs { "close", "quit" } do
    local ok, has = pcall(method, client, name)
    if ok and has then
      pcall(invoke, client, name)
      return
    end
  end
end

local function release(self, client, err)
  if self.release then pcall(self.release, client, err) end
end

local FAILED = "redis: the client failed earlier and is not used " ..
  "again: give store.redis a connect function to reconnect"

-- The client for one operation, or nil and a message.
local function client_for(self)
  if not self.connect then
    if failed[self.client] then return nil, self.failure or FAILED end
    return self.client
  end
  local ok, c, err = pcall(self.connect)
  if not ok then return nil, "redis connect failed: " .. tostring(c) end
  if type(c) ~= "table" then
    return nil, "redis connect failed: " .. tostring(err)
  end
  if failed[c] then
    err = "redis: connect gave a client that failed before"
    release(self, c, err)
    return nil, err
  end
  return c
end

-- Runs one script with key and args: the reply, or nil and a message.
-- fits(reply) tells whether the reply has the script's shape; one that
-- does not counts as a failure of the client.
local function run(self, name, fits, key, ...)
  local client, err = client_for(self)
  if not client then return nil, err end
  local res
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
  if res == nil and err ~= nil then
    err = "redis: " .. tostring(err)
  elseif not fits(res) then
    err = "redis: unexpected reply " .. tostring(res)
  else
    err = nil
  end
  if err then
    drop(client)
    if not self.connect then self.failure = err .. " (" .. FAILED .. ")" end
  end
  release(self, client, err)
  if err then return nil, err end
  return res
end

-- The shapes of the scripts' replies: a value or nothing (get), a number
-- (incr, rate; admit's is not negative), { number, flag } (bucket, cut).
local function value(res)
  return type(res) ~= "table" and type(res) ~= "boolean" or res == false
end

local function number(res)
  return num(res) ~= nil
end

local function wait_reply(res)
  local v = num(res)
  return v ~= nil and v >= 0
end

local function pair(res)
  return type(res) == "table" and num(res[1]) ~= nil and
    (tonumber(res[2]) == 0 or tonumber(res[2]) == 1)
end

local function f17(x)
  return format("%.17g", x)
end

-- The args of a limiter's script: the numbers, then the caller's time
-- when the store has a clock; nil and a message when that clock fails.
local function limiter_args(self, ...)
  if not self.clock then return { ... } end
  local now, err = read_clock(self.clock)
  if not now then return nil, err end
  local args = { ... }
  args[#args + 1] = f17(now)
  return args
end

local unpack = rawget(table, "unpack") or rawget(_G, "unpack")

--- A store on Redis, made by store.redis: the methods of Memory, each
-- one script run on the server, with the server's clock (or the store's).
-- @type Redis

--- As Memory:get.
-- @string key the key
-- @treturn[opt] number
-- @return[2] nil
-- @treturn[2] string when Redis fails or holds no finite number
function Redis:get(key)
  local res, err = run(self, "get", value, key)
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
  local res, err = run(self, "incr", number, key, f17(delta), f17(init))
  if err then return nil, err end
  return num(res)
end

-- A reply { value, flag } as value, flag == 1.
local function two(res, err)
  if err then return nil, err end
  return num(res[1]), tonumber(res[2]) == 1
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
  return two(run(self, "bucket", pair, key, f17(delta), f17(capacity),
    f17(init)))
end

--- As Memory:admit, with the server's clock (or the store's).
-- @string key the limiter's key
-- @number cost the calls
-- @param p the limiter: its rate, burst, beta, scale, min_rate, hold
-- @treturn number 0 or the seconds to wait
-- @return[2] nil
-- @treturn[2] string why not
function Redis:admit(key, cost, p)
  local bad = bad_admit(p, cost)
  if bad then return nil, bad end
  local args, err = limiter_args(self, f17(cost), f17(p.rate), f17(p.burst),
    f17(p.beta), f17(p.scale), f17(p.min_rate))
  if not args then return nil, err end
  local res
  res, err = run(self, "admit", wait_reply, key, unpack(args))
  if err then return nil, err end
  return num(res)
end

--- As Memory:rate, with the server's clock (or the store's).
-- @string key the limiter's key
-- @param p the limiter: its rate, burst, beta, scale, min_rate, hold
-- @treturn number the rate
-- @return[2] nil
-- @treturn[2] string why not
function Redis:rate(key, p)
  local bad = bad_params(p)
  if bad then return nil, bad end
  local args, err = limiter_args(self, f17(p.rate), f17(p.beta),
    f17(p.scale), f17(p.min_rate))
  if not args then return nil, err end
  local res
  res, err = run(self, "rate", number, key, unpack(args))
  if err then return nil, err end
  return num(res)
end

--- As Memory:cut, with the server's clock (or the store's).
-- @string key the limiter's key
-- @param p the limiter: its rate, burst, beta, scale, min_rate, hold
-- @treturn number the rate now
-- @treturn boolean whether it was cut
-- @return[2] nil
-- @treturn[2] string why not
function Redis:cut(key, p)
  local bad = bad_params(p)
  if bad then return nil, bad end
  local args, err = limiter_args(self, f17(p.rate), f17(p.beta),
    f17(p.scale), f17(p.min_rate), f17(p.hold))
  if not args then return nil, err end
  return two(run(self, "cut", pair, key, unpack(args)))
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
