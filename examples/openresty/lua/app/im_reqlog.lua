--- One JSON log line per request of the proxy, with OpenTelemetry's
-- attribute names, written by nginx's access_log: the proxy's log phase
-- sets $imerr_log to the line's fields and nginx.conf's log_format
-- imerr_otel puts them between a timestamp and the closing brace.
--
-- Fields: url.path (as the client sent it, percent-encoded, any
-- usersig, token, key or sign parameter redacted), http.request.method,
-- server.address and server.port (the upstream), http.response.status_code
-- (the upstream's last answer), http.request.resend_count (attempts after
-- the first), error.type (the transport failure, else imerr's reason,
-- else the proxy's refusal), imerr.code, imerr.class, imerr.api,
-- imerr.outcome, imerr.stop, imerr.failed_items, imerr.sdkappid,
-- imerr.duration (seconds since the request started), tencent.request_id,
-- process.pid. Never the query, the body, a UserSig, a key, a token, a
-- user id or a group id.
local metrics = require "app.im_metrics"

local ngx = ngx
local type, tonumber, pcall, concat, format, find =
  type, tonumber, pcall, table.concat, string.format, string.find

local _M = {}

--- url.path is cut to this many bytes.
_M.MAX_PATH = 256
--- tencent.request_id is cut to this many bytes.
_M.MAX_ID = 128

-- A Lua pattern for name, any case: "[Uu][Ss]...".
local function any_case(name)
  return (name:gsub("%a", function(c)
    return "[" .. c:upper() .. c:lower() .. "]"
  end))
end

-- Names whose values are secrets, as parameters anywhere in a URL: after
-- ?, & or ; (matrix parameters), plain or percent-encoded ("=" as %3D).
local SECRET_NAMES = { "usersig", "user_sig", "token", "key", "sign",
  "secret", "password" }
local SECRETS = {}
for _, name in ipairs(SECRET_NAMES) do
  SECRETS[#SECRETS + 1] = "([?&;/])(" .. any_case(name) .. ")(=)[^&;/#]*"
  SECRETS[#SECRETS + 1] = "([?&;/])(" .. any_case(name) .. ")(%%3[Dd])" ..
    "[^&;/#%%]*"
end

--- url with the values of its secret parameters (usersig, token, key,
-- sign, secret, password; any case, plain or percent-encoded) replaced by
-- REDACTED.
function _M.redact(url)
  for _, pattern in ipairs(SECRETS) do
    url = url:gsub(pattern, "%1%2%3REDACTED")
  end
  return url
end

-- Bytes that stand as they are in url.path; others are percent-encoded
-- (then the path is valid in a JSON string as it is).
local function encode_byte(c)
  return format("%%%02X", c:byte())
end

--- url.path from the request line's target (ngx.var.request_uri): the
-- part before "?", percent-encoded where it is not printable ASCII or
-- would need escaping in JSON, secrets redacted, at most MAX_PATH bytes.
local UNSAFE = "[^%w%-%._~/!$&'()*+,;=:@%%]"
function _M.url_path(target)
  if type(target) ~= "string" then return "" end
  local path = target:match("^[^?#]*")
  if #path > _M.MAX_PATH then path = path:sub(1, _M.MAX_PATH) end
  -- (most paths need neither: find is cheaper than a gsub that changes
  -- nothing)
  if find(path, UNSAFE) then path = path:gsub(UNSAFE, encode_byte) end
  if find(path, "=", 1, true) or find(path, "%%3[Dd]") then
    path = _M.redact(path)
  end
  return path:sub(1, _M.MAX_PATH)
end

-- Tencent's RequestId, kept only in the characters an id uses.
local function request_id(id)
  if type(id) ~= "string" then return nil end
  id = id:sub(1, _M.MAX_ID):gsub("[^%w%-_.:]", "")
  return id ~= "" and id or nil
end

local function add(out, name, value)
  local t = type(value)
  if t == "string" then
    -- Every string here is made of bounded, JSON-safe characters (names,
    -- reasons, encoded paths, cleaned ids); quote and backslash stay
    -- escaped all the same.
    if find(value, '[%c"\\]') then
      value = value:gsub('[%c"\\]', encode_byte)
    end
    out[#out + 1] = '"' .. name .. '":"' .. value .. '"'
  elseif t == "number" then
    if value == math.floor(value) then
      out[#out + 1] = '"' .. name .. '":' .. format("%d", value)
    else
      out[#out + 1] = '"' .. name .. '":' .. format("%.3f", value)
    end
  end
end

-- error.type: the transport failure (connect, timeout, cut, short,
-- closed, protocol, too_big), else imerr's reason (auth, rate_limited,
-- server_error, bad_response, ...), else the proxy's refusal (bad_path,
-- bad_sdkappid, request_body, bad_body).
local function error_type(rec)
  local err = rec.err
  if err then
    local transport = err.transport
    if transport and transport ~= "rate_limit" then return transport end
    return err.reason
  end
  return rec.error_type
end

--- The fields of rec's line (the record app.im_proxy leaves), as JSON
-- members without braces.
function _M.fields(rec)
  local out, err = {}, rec.err or {}
  local up = rec.upstream
  add(out, "url.path", _M.url_path(ngx.var.request_uri))
  add(out, "http.request.method", ngx.req.get_method())
  if up then
    add(out, "server.address", up.host)
    add(out, "server.port", up.port)
  end
  add(out, "http.response.status_code", rec.status)
  add(out, "http.request.resend_count",
    rec.attempts > 1 and rec.attempts - 1 or 0)
  add(out, "error.type", error_type(rec))
  if type(err.code) == "number" then add(out, "imerr.code", err.code) end
  add(out, "imerr.class", err.class)
  add(out, "imerr.api", metrics.api_name(rec.api))
  add(out, "imerr.outcome", rec.outcome)
  add(out, "imerr.stop", rec.stop)
  if rec.items then add(out, "imerr.failed_items", #rec.items) end
  add(out, "imerr.sdkappid", tonumber(rec.app))
  add(out, "imerr.duration", ngx.now() - ngx.req.start_time())
  add(out, "tencent.request_id", request_id(rec.request_id or
    err.request_id))
  add(out, "process.pid", ngx.worker.pid())
  return concat(out, ",")
end

local function set_var(line)
  ngx.var.imerr_log = line
end

--- Log phase: sets $imerr_log to rec's fields. Never raises: a failure
-- (no $imerr_log in this location, say) leaves the line out.
function _M.set(rec)
  local ok, line = pcall(_M.fields, rec)
  if ok then ok = pcall(set_var, line) end
  return ok
end

return _M
