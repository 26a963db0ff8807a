--- The app (SDKAppID) of a proxied request, as its canonical number.
-- Tencent requires `sdkappid` on every REST call, and the rate limits are
-- per app, so the proxy reads it once, strictly: exactly one `sdkappid`
-- argument, decimal digits after URL-decoding, leading zeros dropped, in
-- 1 .. 2^32-1. Tencent's SDKAppIDs are 10-digit numbers (14xxxxxxxx,
-- 16xxxxxxxx, 20xxxxxxxx); the range leaves room for any unsigned 32-bit
-- one and keeps every key at 10 digits at most. "01400000001",
-- "%31400000001" and "1400000001" are then one app, with one bucket.
local ngx = ngx
local type, tonumber, concat = type, tonumber, table.concat

local _M = {}

-- Tencent's REST calls carry five arguments (sdkappid, identifier,
-- usersig, random, contenttype); more than this many is refused rather
-- than parsed in part (a repeat could hide past the limit).
_M.MAX_ARGS = 16
-- Digits, leading zeros included; longer is refused before any parsing.
local MAX_DIGITS = 20
local MAX_APP = 4294967295

--- The canonical decimal text of an SDKAppID given as text, or nil and
-- why not.
function _M.canonical(v)
  if type(v) ~= "string" or v == "" then return nil, "sdkappid is empty" end
  if #v > MAX_DIGITS or not v:find("^%d+$") then
    return nil, "sdkappid must be a decimal number"
  end
  v = v:gsub("^0+", "")
  if v == "" or #v > 10 or tonumber(v) > MAX_APP then
    return nil, "sdkappid must be in 1 .. 4294967295"
  end
  return v
end

--- The name of one raw query argument ("name=value" or "name"),
-- unescaped as ngx.req.get_uri_args reads it.
function _M.arg_name(part)
  return ngx.unescape_uri(part:match("^[^=]*"))
end

-- The raw query with its one sdkappid argument (whatever its escapes)
-- written as sdkappid=<app>; nil unless exactly one was found, as
-- ngx.req.get_uri_args found.
local function rewrite(query, app)
  local out, found = {}, 0
  for part in query:gmatch("[^&]+") do
    if _M.arg_name(part) == "sdkappid" then
      part, found = "sdkappid=" .. app, found + 1
    end
    out[#out + 1] = part
  end
  if found ~= 1 then return nil end
  return concat(out, "&")
end

--- The request's app and the query to send upstream (the client's, with
-- sdkappid written canonically), or nil and why the request is refused.
function _M.parse()
  local args, err = ngx.req.get_uri_args(_M.MAX_ARGS)
  if err == "truncated" then
    return nil, "sdkappid not read: more than " .. _M.MAX_ARGS ..
      " query arguments"
  end
  local v = args.sdkappid
  if v == nil then return nil, "sdkappid is missing" end
  if type(v) == "table" then return nil, "sdkappid is given more than once" end
  if v == true then return nil, "sdkappid is empty" end
  local app, why = _M.canonical(v)
  if not app then return nil, why end
  local query = rewrite(ngx.var.args or "", app)
  if not query then return nil, "sdkappid is given more than once" end
  return app, query
end

return _M
