-- A scraper for the load run of spec/prometheus/run.sh: GETs URL every
-- PERIOD seconds on one keepalive connection until killed (or for 60 s).
-- usage: lua5.4 scraper.lua URL PERIOD
local socket = require "socket"

local url, period = arg[1], tonumber(arg[2])
local host, port, path = url:match("^http://([^:/]+):(%d+)(/.*)$")
local conn
local stop = socket.gettime() + 60
while socket.gettime() < stop do
  if not conn then
    conn = assert(socket.connect(host, tonumber(port)))
  end
  conn:send("GET " .. path .. " HTTP/1.1\r\nHost: " .. host .. "\r\n\r\n")
  local length
  repeat
    local line = conn:receive("*l")
    if not line then break end
    length = tonumber(line:match("^[Cc]ontent%-[Ll]ength: (%d+)")) or length
  until line == ""
  if length then conn:receive(length) else conn:close() conn = nil end
  socket.sleep(period)
end
