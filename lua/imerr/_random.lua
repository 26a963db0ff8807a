--- imerr._random: 32-bit random numbers for the de-duplication fields of
-- requests (MsgRandom, Random, MsgSeq), from a generator of imerr's own
-- (internal). math.random's state is shared: anyone may seed it with a
-- constant, and nginx workers forked after it was seeded draw the same
-- numbers. This one is seeded per process, and again in each nginx worker
-- (its pid differs from the one that seeded), from 6 bytes of
-- /dev/urandom mixed with the pid and the time; where /dev/urandom cannot
-- be read, from the pid, the time, the CPU clock and a table's address.
-- The generator is drand48's (48-bit linear congruential, the top 32 bits
-- given out), computed in halves of 24 bits so that every Lua (doubles
-- or 64-bit integers) gets the same exact numbers.
local type, floor, tostring, tonumber = type, math.floor, tostring, tonumber
local pcall, rawget, open = pcall, rawget, io.open
local tointeger = math.tointeger or function(v) return v end

local _M = {}

local H = 2 ^ 24
-- drand48: x' = (A x + C) mod 2^48, A = 0x5DEECE66D as 24-bit halves.
local A_HI, A_LO, C = 1502, 15525485, 11

-- The state (two 24-bit halves) and the pid that seeded it.
local hi, lo, seeded_by

-- The pid of this nginx worker (or of the master), else of the process
-- as /proc says, else nil.
local function ngx_pid()
  local ngx = rawget(_G, "ngx")
  if type(ngx) == "table" and type(ngx.worker) == "table" and
    type(ngx.worker.pid) == "function" then
    local ok, pid = pcall(ngx.worker.pid)
    if ok and type(pid) == "number" then return pid end
  end
end

local function process_pid()
  local pid = ngx_pid()
  if pid then return pid end
  local f = open("/proc/self/stat", "rb")
  if not f then return nil end
  local line = f:read("*l")
  f:close()
  return tonumber(line and line:match("^(%d+)"))
end

-- n bytes of /dev/urandom as a number (n <= 6), or nil.
local function urandom(n)
  local f = open("/dev/urandom", "rb")
  if not f then return nil end
  local bytes = f:read(n)
  f:close()
  if type(bytes) ~= "string" or #bytes ~= n then return nil end
  local v = 0
  for i = 1, n do v = v * 256 + bytes:byte(i) end
  return v
end

local function now()
  local ngx = rawget(_G, "ngx")
  if type(ngx) == "table" and type(ngx.now) == "function" then
    local ok, t = pcall(ngx.now)
    if ok and type(t) == "number" then return t end
  end
  return os.time()
end

-- x' = A x + C mod 2^48, on the halves.
local function step()
  local low = A_LO * lo + C
  local carry = floor(low / H)
  local mid = A_HI * lo + A_LO * hi + carry
  lo = low % H
  hi = mid % H
end

local function seed(pid)
  local s = urandom(6) or 0
  -- The address of a fresh table differs between runs (ASLR).
  local address = tonumber(tostring({}):match("0x(%x+)") or "0", 16) or 0
  s = s + (pid or 0) * 65537 + floor(now() * 1000) + floor(os.clock() * 1e6)
    + address % H
  hi, lo = floor(s / H) % H, s % H
  seeded_by = pid or true
  -- Spread a seed that differs in its low bits only.
  for _ = 1, 4 do step() end
end

--- A random integer in [1, 2^32 - 1]: never 0, which Tencent may read as
-- "not given" and fill itself.
function _M.u32()
  local pid = ngx_pid()
  if not seeded_by or (pid and pid ~= seeded_by) then
    seed(pid or process_pid())
  end
  local v = 0
  while v == 0 do
    step()
    v = hi * 256 + floor(lo / 65536)
  end
  return tointeger(v) or v
end

return _M
