-- The OpenResty example's answer reader (app.im_http) outside nginx: CPU
-- time per MB of body for an answer in chunks of one byte, next to the
-- same body with a Content-Length, for reads of 4 KB (nginx's default
-- lua_socket_buffer_size) and of 64 KB. A stub stands in for the ngx API
-- and the socket; the wire is made in memory, so only the parsing counts.
--   luajit bench/chunked_bench.lua [KB] [LUA_DIR]
-- KB: the body's size (256); LUA_DIR: where app/im_http.lua is
-- (examples/openresty/lua), e.g. a copy of an older version.
local kb = tonumber(arg[1]) or 256
local dir = arg[2] or "examples/openresty/lua"
package.path = dir .. "/?.lua;" .. package.path

-- A socket that answers with wire, piece bytes at most per read.
local function fake_socket(wire, piece)
  local pos = 1
  local sock = {}
  function sock.settimeouts() end
  function sock.connect() return true end
  function sock.getreusedtimes() return 0 end
  function sock.send(_, s) return #s end
  function sock.setkeepalive() return true end
  function sock.close() end
  function sock.receiveany(_, max)
    if pos > #wire then return nil, "closed" end
    local n = math.min(max, piece)
    local data = wire:sub(pos, pos + n - 1)
    pos = pos + n
    return data
  end
  return sock
end

local current
rawset(_G, "ngx", { now = function() return 0 end, update_time = function() end,
  socket = { tcp = function() return current end } })
local http = require "app.im_http"
local up = assert(http.parse_url("http://127.0.0.1:1"))

local body = ("x"):rep(kb * 1024)
local HEAD = "HTTP/1.1 200 OK\r\n"
local WIRES = {
  { "Content-Length", HEAD .. "Content-Length: " .. #body .. "\r\n\r\n" ..
    body },
  { "1-byte chunks", HEAD .. "Transfer-Encoding: chunked\r\n\r\n" ..
    body:gsub(".", "1\r\n%0\r\n") .. "0\r\n\r\n" },
}

-- CPU seconds of one read of wire in pieces of piece bytes.
local function once(wire, piece)
  current = fake_socket(wire, piece)
  local t0 = os.clock()
  local res = assert(http.post(up, { path = "/", deadline = 1e9,
    max_body = 1e9 }))
  local t = os.clock() - t0
  assert(res.body == body)
  return t
end

local function median(wire, piece)
  local t = {}
  for i = 1, 5 do t[i] = once(wire, piece) end
  table.sort(t)
  return t[3]
end

print(("body %d KB, %s; CPU ms per MB of body, median of 5"):format(kb, dir))
local chunked = {}
for _, piece in ipairs { 4096, 65536 } do
  local cl, ch = median(WIRES[1][2], piece), median(WIRES[2][2], piece)
  chunked[piece] = ch
  print(("  reads of %5d B   Content-Length %8.1f ms/MB   1-byte chunks" ..
    " %8.1f ms/MB"):format(piece, cl * 1024 / kb * 1000,
    ch * 1024 / kb * 1000))
end
-- About 1 when the cost per byte does not grow with what a read brings.
print(("  1-byte chunks, 64 KB reads / 4 KB reads: %.2fx"):format(
  chunked[65536] / chunked[4096]))
