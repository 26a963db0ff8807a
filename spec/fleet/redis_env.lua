-- The Redis that spec/fleet/redis.sh started (IMERR_REDIS=host:port),
-- through the redis-lua client (Debian's lua-redis ships it for Lua 5.1 to
-- 5.3; its 5.3 file also runs under 5.4). Without IMERR_REDIS, available()
-- is false and the Redis specs are pending.
local M = {}

local address = os.getenv("IMERR_REDIS")
local host, port
if address then host, port = address:match("^([^:]+):(%d+)$") end

local function load_client()
  local ok, redis = pcall(require, "redis")
  if ok then return redis end
  package.path = package.path .. ";/usr/share/lua/5.3/?.lua"
  return require("redis")
end

-- A token no other process has: specs of several runs share one server.
local token
do
  local name = os.tmpname()
  os.remove(name)
  token = name:gsub("^.*/", ""):gsub("[^%w]", "")
end
local serial = 0

--- A key of its own for each call: "imerr:spec:NAME:TOKEN:N".
function M.key(name)
  serial = serial + 1
  return ("imerr:spec:%s:%s:%d"):format(name, token, serial)
end

function M.available()
  return host ~= nil
end

--- A connected redis-lua client; timeout (seconds) bounds each call.
function M.client(timeout)
  return load_client().connect { host = host, port = tonumber(port),
    timeout = timeout }
end

--- Makes the server hold every client's commands for ms milliseconds
-- (CLIENT PAUSE), as a server that stalls does.
function M.pause(ms)
  local socket = require "socket"
  local c = assert(socket.connect(host, tonumber(port)))
  c:settimeout(1)
  assert(c:send(("CLIENT PAUSE %d\r\n"):format(ms)))
  local line = c:receive("*l")
  c:close()
  assert(line == "+OK", tostring(line))
end

--- A connect function and release for store.redis that keep one
-- connection and drop it after any error, so the next call reconnects.
function M.reconnecting(timeout)
  local redis, client = load_client(), nil
  local function connect()
    if not client then
      local ok, c = pcall(redis.connect, { host = host, port = tonumber(port),
        timeout = timeout })
      if not ok then return nil, c end
      client = c
    end
    return client
  end
  local function release(c, err)
    if err and c == client then
      pcall(c.quit, c)
      client = nil
    end
  end
  return connect, release
end

return M
