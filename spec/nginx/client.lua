-- What the nginx tests share: the servers spec/nginx/run.sh started
-- (IMERR_NGINX, IMERR_MOCK), a tag for this run, one HTTP request, and a
-- connection kept open for several.
local http = require "socket.http"
local ltn12 = require "ltn12"
local socket = require "socket"

local _M = {}

_M.BASE = assert(os.getenv("IMERR_NGINX"), "run through spec/nginx/run.sh")
_M.MOCK = assert(os.getenv("IMERR_MOCK"))
_M.RUN = tostring(os.time()) .. "-" .. tostring(math.random(1e6))

--- A stand-in for a client's UserSig, in every proxied request: run.sh
-- checks that no log of the run holds it.
_M.USERSIG = "imerr-test-usersig-7f3a"

--- "&sdkappid=" and an SDKAppID of its own (the proxy refuses requests
-- without one, and limits each app apart), and the client's usersig.
function _M.app()
  return "&sdkappid=" .. math.random(1400000000, 2099999999) ..
    "&usersig=" .. _M.USERSIG
end

--- GET url, or POST body to it: status, body text, headers.
function _M.request(url, body, content_type)
  local out = {}
  local _, status, headers = http.request {
    url = url, method = body and "POST" or "GET",
    source = body and ltn12.source.string(body),
    headers = body and { ["Content-Type"] = content_type or "application/json",
      ["Content-Length"] = #body },
    sink = ltn12.sink.table(out),
  }
  return status, table.concat(out), headers
end

-- A connection to nginx kept open between requests: nginx serves all the
-- requests of a connection in one worker, so they share that worker's
-- pool of upstream connections.
local Connection = {}
Connection.__index = Connection

--- A connection to base ("http://host:port"), or nil and an error.
function _M.connection(base, timeout)
  local host, port = base:match("^http://([^:/]+):(%d+)")
  local sock = socket.tcp()
  sock:settimeout(timeout or 30)
  local ok, err = sock:connect(host, tonumber(port))
  if not ok then return nil, err end
  return setmetatable({ sock = sock, host = host .. ":" .. port }, Connection)
end

-- The answer's head: status and lower-cased headers, or nil and an error.
local function read_head(sock)
  local line, err = sock:receive("*l")
  if not line then return nil, err end
  local status = tonumber(line:match("^HTTP/1%.%d (%d%d%d)"))
  if not status then return nil, "not HTTP: " .. line end
  local headers = {}
  while true do
    line, err = sock:receive("*l")
    if not line then return nil, err end
    if line == "" then return status, headers end
    local name, value = line:match("^([^:]+):%s*(.-)%s*$")
    headers[name:lower()] = value
  end
end

-- The answer's body, by its chunks or its Content-Length.
local function read_body(sock, headers)
  if headers["transfer-encoding"] ~= "chunked" then
    return sock:receive(tonumber(headers["content-length"]) or 0)
  end
  local parts = {}
  while true do
    local line, err = sock:receive("*l")
    if not line then return nil, err end
    local size = tonumber(line:match("^%x+"), 16)
    if size == 0 then
      sock:receive("*l")
      return table.concat(parts)
    end
    parts[#parts + 1], err = sock:receive(size)
    if not parts[#parts] then return nil, err end
    sock:receive("*l")
  end
end

--- POST body to path on the connection: status, body text, headers; or
-- nil and an error.
function Connection:post(path, body)
  local ok, err = self.sock:send(("POST %s HTTP/1.1\r\nHost: %s\r\n" ..
    "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"):format(
    path, self.host, #body, body))
  if not ok then return nil, err end
  local status, headers = read_head(self.sock)
  if not status then return nil, headers end
  local text
  text, err = read_body(self.sock, headers)
  if not text then return nil, err end
  return status, text, headers
end

function Connection:close()
  self.sock:close()
end

return _M
