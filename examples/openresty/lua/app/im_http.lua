--- A small HTTP/1.1 client on nginx cosockets, for the REST proxy: one
-- POST, bounded by an absolute deadline. Every socket operation gets the
-- time left as its timeout, and the answer is read in pieces of at most
-- CHUNK bytes (receiveany), so an upstream that drips bytes cannot stretch
-- a call past its deadline the way a per-operation read timeout would.
-- Content-Length and chunked answers; keepalive through setkeepalive;
-- TLS with certificate verification (lua_ssl_trusted_certificate).
--
-- Failures come back as nil and a table { kind = ..., sent = bool,
-- message = ... } where kind is one of
--   "connect"  no connection (refused, DNS, TLS handshake)
--   "timeout"  the deadline passed while sending or reading
--   "cut"      the connection closed inside the answer's body
--   "short"    the connection closed before Content-Length bytes came
--   "closed"   the connection closed before a status line
--   "protocol" not an HTTP/1.x answer
--   "too_big"  the answer is larger than the limit
-- and sent says whether request bytes may have reached the upstream (the
-- upstream may then have acted: ambiguous for APIs that write).
local ngx = ngx
local tonumber, concat, min = tonumber, table.concat, math.min

local _M = {}

local CHUNK = 65536
-- Timeouts below 1 ms are no timeout to nginx: never give less.
local MIN_TIMEOUT = 0.001

local function failure(kind, sent, message)
  return nil, { kind = kind, sent = sent, message = message }
end

--- "https://host[:port]" -> { scheme, host, port, tls }, or nil and a
-- message.
function _M.parse_url(url)
  if type(url) ~= "string" then return nil, "upstream must be a URL" end
  local scheme, host, port = url:match("^(https?)://([%w%.%-]+):?(%d*)/?$")
  if not scheme then
    return nil, "upstream must look like https://host[:port]"
  end
  local tls = scheme == "https"
  port = tonumber(port) or (tls and 443 or 80)
  if port < 1 or port > 65535 then return nil, "bad upstream port" end
  return { scheme = scheme, host = host, port = port, tls = tls }
end

-- A reader over a cosocket: buffered, every read bounded by the deadline.
local Reader = {}
Reader.__index = Reader

-- Seconds until the deadline, on a fresh clock (ngx.now is cached per
-- event loop turn).
local function left(deadline)
  ngx.update_time()
  return deadline - ngx.now()
end

_M.left = left

-- Sets all three timeouts of sock to the time left (capped by cap), or
-- returns false when there is none.
local function arm(sock, deadline, cap)
  local t = left(deadline)
  if cap and cap < t then t = cap end
  if t < MIN_TIMEOUT then return false end
  local ms = math.ceil(t * 1000)
  sock:settimeouts(ms, ms, ms)
  return true
end

-- Receives more bytes; nil and "timeout" | "closed" | another error.
function Reader:receive()
  if not arm(self.sock, self.deadline) then return nil, "timeout" end
  local data, err = self.sock:receiveany(CHUNK)
  if data then self.got = self.got + #data end
  return data, err
end

-- Reads more bytes into the buffer (for lines: the buffer stays small).
function Reader:fill()
  local data, err = self:receive()
  if not data then return nil, err end
  self.buf = self.buf .. data
  return true
end

-- One CRLF-terminated line (without it), or nil and an error.
function Reader:line(limit)
  while true do
    local s, e = self.buf:find("\r\n", 1, true)
    if s then
      local line = self.buf:sub(1, s - 1)
      self.buf = self.buf:sub(e + 1)
      return line
    end
    if #self.buf > limit then return nil, "protocol" end
    local ok, err = self:fill()
    if not ok then return nil, err end
  end
end

-- Exactly n bytes, or nil and an error. Pieces are gathered in a list:
-- a body of megabytes is not copied once per piece.
function Reader:bytes(n)
  local parts, have = { self.buf }, #self.buf
  while have < n do
    local data, err = self:receive()
    if not data then return nil, err end
    parts[#parts + 1] = data
    have = have + #data
  end
  local all = #parts == 1 and parts[1] or concat(parts)
  self.buf = all:sub(n + 1)
  return #all == n and all or all:sub(1, n)
end

-- Everything until the upstream closes, at most limit bytes.
function Reader:rest(limit)
  local parts, have = { self.buf }, #self.buf
  self.buf = ""
  while have <= limit do
    local data, err = self:receive()
    if not data then
      if err == "closed" then return concat(parts) end
      return nil, err
    end
    parts[#parts + 1] = data
    have = have + #data
  end
  return nil, "too_big"
end

local MAX_HEAD = 16384

-- Status and lower-cased headers, or nil and an error.
local function read_head(r)
  local line, err = r:line(MAX_HEAD)
  if not line then return nil, err end
  local minor, status = line:match("^HTTP/1%.([01]) (%d%d%d)")
  status = tonumber(status)
  if not status then return nil, "protocol" end
  -- HTTP/1.0 closes after the answer unless it says otherwise.
  local headers, size = { [":old"] = minor == "0" }, #line
  while true do
    line, err = r:line(MAX_HEAD)
    if not line then return nil, err end
    if line == "" then break end
    size = size + #line
    if size > MAX_HEAD then return nil, "protocol" end
    local name, value = line:match("^([^:%s]+):%s*(.-)%s*$")
    if not name then return nil, "protocol" end
    name = name:lower()
    -- Two Content-Length headers that disagree are no answer to trust.
    if name == "content-length" and headers[name] and
      headers[name] ~= value then
      return nil, "protocol"
    end
    headers[name] = value
  end
  return status, headers
end

-- The body of a chunked answer, or nil and an error.
local function read_chunked(r, limit)
  local parts, total = {}, 0
  while true do
    local line, err = r:line(1024)
    if not line then return nil, err end
    local size = tonumber(line:match("^%x+"), 16)
    if not size then return nil, "protocol" end
    if size == 0 then
      -- Trailers, up to the empty line.
      repeat
        line, err = r:line(MAX_HEAD)
        if not line then return nil, err end
      until line == ""
      return concat(parts)
    end
    total = total + size
    if total > limit then return nil, "too_big" end
    local data
    data, err = r:bytes(size)
    if not data then return nil, err end
    parts[#parts + 1] = data
    local crlf
    crlf, err = r:bytes(2)
    if not crlf then return nil, err end
    if crlf ~= "\r\n" then return nil, "protocol" end
  end
end

-- The body; nil and an error; and whether the connection can be reused.
local function read_body(r, status, headers, limit)
  local te = headers["transfer-encoding"]
  local connection = (headers["connection"] or ""):lower()
  local reusable = connection ~= "close"
  if headers[":old"] then reusable = connection == "keep-alive" end
  -- These never have a body, whatever the headers say.
  if status == 204 or status == 304 or status < 200 then
    return "", nil, reusable
  end
  if te then
    if te:lower() ~= "chunked" then return nil, "protocol" end
    local body, err = read_chunked(r, limit)
    if err == "closed" then err = "cut" end
    return body, err, reusable
  end
  local cl = headers["content-length"]
  if cl then
    local n = cl:match("^%d+$") and tonumber(cl)
    if not n then return nil, "protocol" end
    if n > limit then return nil, "too_big" end
    local body, err = r:bytes(n)
    if err == "closed" then err = "short" end
    return body, err, reusable
  end
  -- Neither: the body runs to the end of the connection.
  local body, err = r:rest(limit)
  return body, err, false
end

local KINDS = { timeout = "timeout", closed = "closed", cut = "cut",
  short = "short", too_big = "too_big", protocol = "protocol" }

-- Sends s in pieces, each bounded by the deadline.
local function send_all(sock, s, deadline)
  local i, n = 1, #s
  while i <= n do
    if not arm(sock, deadline) then return nil, "timeout" end
    local j = min(i + CHUNK - 1, n)
    local ok, err = sock:send(s:sub(i, j))
    if not ok then return nil, err end
    i = j + 1
  end
  return true
end

local function connect(up, opts)
  local sock = ngx.socket.tcp()
  if not arm(sock, opts.deadline, opts.connect_timeout) then
    return failure("timeout", false, "no time left to connect")
  end
  -- With a backlog, a worker opens at most pool_size connections to the
  -- upstream; further requests wait (within their connect timeout) for
  -- one to come back, instead of opening and closing their own.
  local ok, err
  if opts.pool_size and opts.backlog then
    ok, err = sock:connect(up.host, up.port, { pool_size = opts.pool_size,
      backlog = opts.backlog })
  else
    ok, err = sock:connect(up.host, up.port)
  end
  if not ok then
    if err == "timeout" then return failure("timeout", false, err) end
    return failure("connect", false, err)
  end
  if up.tls and sock:getreusedtimes() == 0 then
    if not arm(sock, opts.deadline, opts.connect_timeout) then
      sock:close()
      return failure("timeout", false, "no time left for TLS")
    end
    -- lua-resty-core 0.1.25 (Debian 12) raises an assertion when the
    -- certificate check fails on a handshake that completed at once; and
    -- with false as first argument it reports that failure as success.
    -- So: nil, and a raised error is a failed handshake.
    local called
    called, ok, err = pcall(sock.sslhandshake, sock, nil, up.host, true)
    if not called then ok, err = nil, "handshake failed" end
    if not ok then
      sock:close()
      if err == "timeout" then return failure("timeout", false, err) end
      return failure("connect", false, "TLS: " .. tostring(err))
    end
  end
  return sock
end

--- request(up, opts) -> { status, headers, body }, or nil and a failure.
-- up from parse_url; opts: path (with query), body, deadline (ngx.now()
-- time), connect_timeout (s), max_body (bytes), keepalive (idle s),
-- pool_size (connections per worker) and backlog (requests that may wait
-- for one).
function _M.post(up, opts)
  local sock, fail = connect(up, opts)
  if not sock then return nil, fail end
  local body = opts.body or ""
  local head = concat({ "POST ", opts.path, " HTTP/1.1\r\nHost: ", up.host,
    "\r\nContent-Type: application/json\r\nContent-Length: ", #body,
    "\r\nUser-Agent: imerr-proxy\r\nAccept: application/json\r\n\r\n" })
  local ok, err = send_all(sock, head .. body, opts.deadline)
  if not ok then
    sock:close()
    -- Bytes may have left before the send failed.
    return failure(KINDS[err] or "closed", true, "send: " .. tostring(err))
  end
  local r = setmetatable({ sock = sock, deadline = opts.deadline, buf = "",
    got = 0 }, Reader)
  local status, headers = read_head(r)
  if not status then
    sock:close()
    err = headers
    if err == "closed" and r.got > 0 then err = "cut" end
    return failure(KINDS[err] or "closed", true, "head: " .. tostring(err))
  end
  local data, reusable
  data, err, reusable = read_body(r, status, headers, opts.max_body)
  if not data then
    sock:close()
    return failure(KINDS[err] or "cut", true, "body: " .. tostring(err))
  end
  if reusable and r.buf == "" and opts.keepalive then
    sock:setkeepalive(opts.keepalive * 1000)
  else
    sock:close()
  end
  return { status = status, headers = headers, body = data }
end

--- The client's request body, whole: from memory, or from the temp file
-- nginx writes when the body is larger than client_body_buffer_size (a
-- blocking read of a local file). nil and a message when it cannot be
-- read; "" when there is none.
function _M.request_body()
  ngx.req.read_body()
  local data = ngx.req.get_body_data()
  if data then return data end
  local path = ngx.req.get_body_file()
  if not path then return "" end
  local f, err = io.open(path, "rb")
  if not f then return nil, "request body: " .. tostring(err) end
  data, err = f:read("*a")
  f:close()
  if not data then return nil, "request body: " .. tostring(err) end
  return data
end

return _M
