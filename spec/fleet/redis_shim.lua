-- A stand-in for a Redis server in plain Lua, for the specs that run
-- without one: a client whose eval runs a script's text as Redis would,
-- with redis.call for the commands imerr's scripts use (GET, SET, HMGET,
-- HSET, PEXPIRE, PTTL, TIME) over tables, in the time of a given clock.
-- As on Redis, a script that fails keeps the writes it made before the
-- failure, a Lua number in a reply becomes an integer, and a number given
-- to a command goes as %.17g text (PEXPIRE refuses what is no integer).
--   local server = require "fleet.redis_shim"(clock)
--   server.client:eval(src, 1, key, ...)  -> reply, or nil and "ERR ..."
--   server:pttl(key)                      -> as PTTL: -2 absent, -1 no expiry
local unpack = rawget(table, "unpack") or rawget(_G, "unpack")

local Server = {}
Server.__index = Server

local function fail(message) error({ err = message }, 0) end

local WRONGTYPE =
  "WRONGTYPE Operation against a key holding the wrong kind of value"

-- A command's argument as Redis gets it.
local function arg_text(v)
  if type(v) == "number" then return ("%.17g"):format(v) end
  if type(v) ~= "string" then
    fail("ERR Lua redis() command arguments must be strings or integers")
  end
  return v
end

function Server:live(key)
  local e = self.expires[key]
  if e and e <= self.clock() then
    self.data[key], self.expires[key] = nil, nil
  end
  return self.data[key]
end

function Server:pttl(key)
  if self:live(key) == nil then return -2 end
  local e = self.expires[key]
  if not e then return -1 end
  return math.floor((e - self.clock()) * 1000 + 0.5)
end

local COMMANDS = {}

function COMMANDS.GET(self, key)
  local v = self:live(key)
  if type(v) == "table" then fail(WRONGTYPE) end
  return v or false
end

function COMMANDS.SET(self, key, value)
  self.data[key], self.expires[key] = value, nil
  return { ok = "OK" }
end

function COMMANDS.HMGET(self, key, ...)
  local h = self:live(key)
  if h ~= nil and type(h) ~= "table" then fail(WRONGTYPE) end
  local out = {}
  for i = 1, select("#", ...) do
    local v = h and h[(select(i, ...))]
    out[i] = v == nil and false or v
  end
  return out
end

function COMMANDS.HSET(self, key, ...)
  local n = select("#", ...)
  if n == 0 or n % 2 == 1 then
    fail("ERR wrong number of arguments for 'hset' command")
  end
  local h = self:live(key)
  if h ~= nil and type(h) ~= "table" then fail(WRONGTYPE) end
  if h == nil then
    h = {}
    self.data[key] = h
  end
  local added = 0
  for i = 1, n, 2 do
    local k, v = select(i, ...)
    if h[k] == nil then added = added + 1 end
    h[k] = v
  end
  return added
end

function COMMANDS.PEXPIRE(self, key, ms)
  local v = ms:find("^%-?%d+$") and tonumber(ms)
  if not v or math.abs(v) > 2 ^ 62 then fail("ERR value is not an integer or out of range") end
  if self:live(key) == nil then return 0 end
  if v <= 0 then
    self.data[key], self.expires[key] = nil, nil
  else
    self.expires[key] = self.clock() + v / 1000
  end
  return 1
end

function COMMANDS.PTTL(self, key)
  return self:pttl(key)
end

function COMMANDS.TIME(self)
  local now = self.clock()
  local s = math.floor(now)
  return { ("%d"):format(s), ("%d"):format(math.floor((now - s) * 1e6)) }
end

-- A script's reply as the client gets it.
local function reply(v)
  local t = type(v)
  if t == "number" then
    return v >= 0 and math.floor(v) or math.ceil(v)
  elseif t == "boolean" then
    return v and 1 or nil
  elseif t == "table" then
    if v.err then return nil, v.err end
    if v.ok then return v.ok end
    local out = {}
    for i = 1, #v do out[i] = (reply(v[i])) end
    return out
  end
  return v
end

-- Scripts are compiled once, with an environment that reads through to
-- the one of the script running now.
local current
local proxy = setmetatable({}, {
  __index = function(_, k) return current[k] end,
  __newindex = function(_, k, v) current[k] = v end,
})
local compiled = {}

local function compile(src)
  local f = compiled[src]
  if f then return f end
  if rawget(_G, "setfenv") then
    f = assert(loadstring(src, "=script"))
    setfenv(f, proxy)
  else
    f = assert(load(src, "=script", "t", proxy))
  end
  compiled[src] = f
  return f
end

function Server:eval(src, numkeys, ...)
  local keys, argv = {}, {}
  for i = 1, select("#", ...) do
    local v = arg_text((select(i, ...)))
    if i <= numkeys then keys[i] = v else argv[i - numkeys] = v end
  end
  local server = self
  local redis = {
    call = function(name, ...)
      local args = {}
      for i = 1, select("#", ...) do args[i] = arg_text((select(i, ...))) end
      local command = COMMANDS[name:upper()]
      if not command then fail("ERR unknown command '" .. name .. "'") end
      return command(server, unpack(args, 1, select("#", ...)))
    end,
    error_reply = function(message) return { err = message } end,
  }
  local env = { KEYS = keys, ARGV = argv, redis = redis, tonumber = tonumber,
    tostring = tostring, type = type, string = string, math = math,
    table = table, unpack = unpack, pairs = pairs, ipairs = ipairs,
    select = select, error = error }
  current = env
  local ok, v = pcall(compile(src))
  if not ok then
    if type(v) == "table" and v.err then return nil, v.err end
    return nil, "ERR Error running script: " .. tostring(v)
  end
  return reply(v)
end

return function(clock)
  local server = setmetatable({ data = {}, expires = {}, clock = clock },
    Server)
  server.client = { eval = function(_, ...) return server:eval(...) end }
  return server
end
