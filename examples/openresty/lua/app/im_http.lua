--- A small HTTP/1.1 client on nginx cosockets, for the REST proxy: one
-- POST, bounded by an absolute deadline. Every socket operation gets the
-- time left as its timeout, and the answer is read in pieces of at most
-- CHUNK bytes (receiveany), so an upstream that drips bytes cannot stretch
-- a call past its deadline the way a per-operation read timeout would.
-- Content-Length and chunked answers, after any interim (1xx) ones; TLS
-- with certificate verification (lua_ssl_trusted_certificate); keepalive
-- through setkeepalive, in a pool per host, port, TLS and server name. A
-- connection goes back to the pool only when the end of its answer is
-- certain: never after an interim answer, a 204 or 304, a Connection
-- list that holds "close", HTTP/1.0 without keep-alive, bytes after the
-- answer, or any failure; an answer with both Transfer-Encoding and
-- Content-Length is refused ("protocol").
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
local tonumber, concat, min, byte = tonumber, table.concat, math.min,
  string.byte

local _M = {}

local CHUNK = 65536
-- Timeouts below 1 ms are no timeout to nginx: never give less.
local MIN_TIMEOUT = 0.001

local function failure(kind, sent, message)
  return nil, { kind = kind, sent = sent, message = message }
end

-- The name of the connection pool for up: connections are shared only by
-- requests to the same host and port over the same transport, and over
-- TLS with the same server name (the name the certificate was verified
-- for). A plain connection is never taken for a TLS one: it would skip
-- the handshake and send the request in the clear.
local function pool_name(up)
  local name = "imerr:" .. up.host .. ":" .. up.port
  if up.tls then return name .. ":tls:" .. up.server_name end
  return name .. ":plain"
end

--- "https://host[:port]" -> { scheme, host, port, tls, server_name, pool },
-- or nil and a message.
function _M.parse_url(url)
  if type(url) ~= "string" then return nil, "upstream must be a URL" end
  local scheme, host, port = url:match("^(https?)://([%w%.%-]+):?(%d*)/?$")
  if not scheme then
    return nil, "upstream must look like https://host[:port]"
  end
  local tls = scheme == "https"
  port = tonumber(port) or (tls and 443 or 80)
  if port < 1 or port > 65535 then return nil, "bad upstream port" end
  -- server_name: sent in the TLS handshake (SNI), and the name the
  -- certificate must be valid for.
  local up = { scheme = scheme, host = host, port = port, tls = tls,
    server_name = host }
  up.pool = pool_name(up)
  return up
end

-- A reader over a cosocket: buffered, every read bounded by the deadline.
-- buf holds what came and pos the first byte not yet taken: taking a line
-- or a few bytes moves pos and copies only what is taken, so an answer of
-- many small pieces (1-byte chunks) costs time linear in its size.
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

-- Bytes in the buffer not yet taken.
function Reader:buffered()
  return #self.buf - self.pos + 1
end

-- Reads more bytes into the buffer, dropping what was taken (a copy of
-- what is left, which a line keeps below its limit).
function Reader:fill()
  local data, err = self:receive()
  if not data then return nil, err end
  if self.pos > #self.buf then
    self.buf = data
  else
    self.buf = self.buf:sub(self.pos) .. data
  end
  self.pos = 1
  return true
end

-- One CRLF-terminated line (without it), or nil and an error. A line
-- longer than limit is "protocol".
function Reader:line(limit)
  local from = self.pos
  while true do
    local s, e = self.buf:find("\r\n", from, true)
    if s then
      local line = self.buf:sub(self.pos, s - 1)
      self.pos = e + 1
      return line
    end
    if self:buffered() > limit then return nil, "protocol" end
    -- Search again from the last byte: it may be the CR of a CRLF split
    -- between two reads.
    local kept = self:buffered()
    local ok, err = self:fill()
    if not ok then return nil, err end
    from = kept > 0 and kept or 1
  end
end

-- Exactly n bytes, or nil and an error. Pieces are gathered in a list:
-- a body of megabytes is not copied once per piece.
function Reader:bytes(n)
  local have = self:buffered()
  if have >= n then
    local s = self.buf:sub(self.pos, self.pos + n - 1)
    self.pos = self.pos + n
    return s
  end
  local parts = { self.buf:sub(self.pos) }
  while have < n do
    local data, err = self:receive()
    if not data then return nil, err end
    parts[#parts + 1] = data
    have = have + #data
  end
  local all = concat(parts)
  self.buf, self.pos = all, n + 1
  return #all == n and all or all:sub(1, n)
end

-- Everything until the upstream closes, at most limit bytes.
function Reader:rest(limit)
  local parts = { self.buf:sub(self.pos) }
  local have = #parts[1]
  self.buf, self.pos = "", 1
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
-- Interim (1xx) answers skipped before the final one, at most.
local MAX_INTERIM = 8

-- The values of a header that is a comma-separated list (Connection,
-- Content-Length), trimmed and lower-cased, as a set; nil for none.
local function tokens(value)
  if not value then return nil end
  local set = {}
  for token in value:gmatch("[^,]+") do
    token = token:match("^%s*(.-)%s*$"):lower()
    if token ~= "" then set[token] = true end
  end
  return set
end

-- Status and lower-cased headers, or nil and an error. A header that
-- comes more than once has its values joined with ", " (the list form
-- HTTP allows for them), so none is lost to a later one.
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
    local had = headers[name]
    headers[name] = had and had .. ", " .. value or value
  end
  return status, headers
end

-- The Content-Length: a number, false for none, or nil when it is not one
-- number (values that disagree are no answer to trust).
local function content_length(headers)
  local cl = headers["content-length"]
  if not cl then return false end
  local n
  for value in pairs(tokens(cl)) do
    if n or not value:match("^%d+$") then return nil end
    n = tonumber(value)
  end
  return n
end

-- A whole chunk (size line, data, CRLF) taken from the buffer when all of
-- it is there, making no string but the data: its size and data; or nil
-- (read it piece by piece).
function Reader:chunk()
  local buf = self.buf
  local hex, from = buf:match("^(%x+)[^\r\n]*\r\n()", self.pos)
  if not hex then return nil end
  local size = tonumber(hex, 16)
  local stop = from + size
  if size == 0 or stop + 1 > #buf or byte(buf, stop) ~= 13 or
    byte(buf, stop + 1) ~= 10 then
    return nil
  end
  self.pos = stop + 2
  return size, buf:sub(from, stop - 1)
end

-- The next chunk read piece by piece: its size and data ("" for the last
-- one, with the trailers read), or nil and an error. limit: the bytes
-- the chunk may have.
local function next_chunk(r, limit)
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
    return 0, ""
  end
  if size > limit then return nil, "too_big" end
  local data
  data, err = r:bytes(size)
  if not data then return nil, err end
  local crlf
  crlf, err = r:bytes(2)
  if not crlf then return nil, err end
  if crlf ~= "\r\n" then return nil, "protocol" end
  return size, data
end

-- The body of a chunked answer, or nil and an error.
local function read_chunked(r, limit)
  local parts, total = {}, 0
  while true do
    local size, data = r:chunk()
    if not size then
      size, data = next_chunk(r, limit - total)
      if not size then return nil, data end
      if size == 0 then return concat(parts) end
    end
    total = total + size
    if total > limit then return nil, "too_big" end
    parts[#parts + 1] = data
  end
end

-- Whether the headers let the connection carry another request:
-- Connection is a list of tokens ("keep-alive, close" closes), and
-- HTTP/1.0 closes unless it says keep-alive.
local function persistent(headers)
  local connection = tokens(headers["connection"]) or {}
  if connection.close then return false end
  if headers[":old"] then return connection["keep-alive"] == true end
  return true
end

-- The body; nil and an error; and whether the connection can be reused.
-- Whatever leaves the end of the answer in doubt closes the connection: a
-- later request on it would read what is left of this answer as its own.
local function read_body(r, status, headers, limit)
  local te = headers["transfer-encoding"]
  local cl = content_length(headers)
  -- Both headers: RFC 9112 6.3 lets Transfer-Encoding win, but a hop that
  -- framed the answer by Content-Length read another answer than this
  -- one (response splitting). Which bytes answer this request is in
  -- doubt: an error, never a body.
  if te and cl ~= false then return nil, "protocol" end
  -- 204 and 304 have no body, whatever the headers say; one that sends a
  -- body anyway would leave it for the next request: not reused.
  if status == 204 or status == 304 then return "", nil, false end
  local reusable = persistent(headers)
  if te then
    if te:lower() ~= "chunked" then return nil, "protocol" end
    local body, err = read_chunked(r, limit)
    if err == "closed" then err = "cut" end
    return body, err, reusable
  end
  if cl then
    if cl > limit then return nil, "too_big" end
    local body, err = r:bytes(cl)
    if err == "closed" then err = "short" end
    return body, err, reusable
  end
  if cl == nil then return nil, "protocol" end
  -- Neither: the body runs to the end of the connection.
  local body, err = r:rest(limit)
  return body, err, false
end

-- The final answer's status and headers, after any interim (1xx) ones,
-- and whether one came; or nil and an error. 101 is refused: the request
-- asked for no upgrade.
local function read_final_head(r)
  for _ = 0, MAX_INTERIM do
    local status, headers = read_head(r)
    if not status then return nil, headers end
    if status >= 200 then return status, headers end
    if status == 101 then return nil, "protocol" end
    r.interim = true
  end
  return nil, "protocol"
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
  local pool = { pool = up.pool }
  if opts.pool_size and opts.backlog then
    pool.pool_size, pool.backlog = opts.pool_size, opts.backlog
  end
  local ok, err = sock:connect(up.host, up.port, pool)
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
    called, ok, err = pcall(sock.sslhandshake, sock, nil, up.server_name,
      true)
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
    pos = 1, got = 0, interim = false }, Reader)
  local status, headers = read_final_head(r)
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
  -- Reused only when the answer ended where its framing said and nothing
  -- came after it: bytes left over belong to no request. After interim
  -- answers the connection is closed too (one may come late, after the
  -- final answer: nothing says how many an upstream sends).
  if reusable and not r.interim and r:buffered() == 0 and opts.keepalive then
    sock:setkeepalive(opts.keepalive * 1000)
  else
    sock:close()
  end
  return { status = status, headers = headers, body = data }
end

-- The body as nginx reads it: from memory, or from the temp file nginx
-- writes when the body is larger than client_body_buffer_size (a blocking
-- read of a local file). Each of nginx's reads is bounded by
-- client_body_timeout, the whole read by nothing.
local function nginx_body()
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

-- A body of n bytes from the client's socket, read in pieces before the
-- deadline; nil and "timeout" or another error.
local function socket_body(sock, n, deadline)
  local parts, have = {}, 0
  while have < n do
    local t = left(deadline)
    if t < MIN_TIMEOUT then return nil, "timeout" end
    sock:settimeout(math.ceil(t * 1000))
    local data, err = sock:receiveany(min(CHUNK, n - have))
    if not data then return nil, err end
    parts[#parts + 1] = data
    have = have + #data
  end
  return concat(parts)
end

--- The client's request body, whole; "" when there is none; nil, a
-- message, and "timeout" when the body did not come before deadline (an
-- ngx.now() time) or another kind when it could not be read.
-- With a deadline, a body of known length is read from the client's
-- socket, in memory, within the time left: a client that drips its body
-- gets its answer at the deadline. nginx has already refused, with 413, a
-- length above client_max_body_size. Chunked bodies (no length), and any
-- body without a deadline, are read by nginx (and kept in its temp file
-- when large): each read is bounded by client_body_timeout, the whole by
-- nothing.
function _M.request_body(deadline)
  local length = ngx.var.http_content_length
  local n = length and not ngx.var.http_transfer_encoding and
    length:match("^%d+$") and tonumber(length)
  if not deadline or not n then return nginx_body() end
  if n == 0 then return "" end
  -- nil for a body nginx or another handler has read already, or HTTP/2:
  -- nginx reads it then.
  local sock = ngx.req.socket()
  if not sock then return nginx_body() end
  local data, err = socket_body(sock, n, deadline)
  if data then return data end
  return nil, "request body: " .. tostring(err),
    err == "timeout" and "timeout" or "read"
end

return _M
