--- imerr._callback_verify: whether a callback comes from Tencent, by the
-- Sign and RequestTime Tencent adds to its query string when a callback
-- token is configured (Sign = lowercase hex SHA-256 of the token followed
-- by the RequestTime digits). imerr.callback hands it out as
-- callback.verify; the SHA-256 and the constant-time comparison are in
-- imerr.sig_core, loaded on the first call, so that imerr.callback loads
-- where OpenSSL was not found.
local private = require "imerr._private"
local type, pairs, tonumber = type, pairs, tonumber

local _M = {}

local core -- imerr.sig_core, once loaded
local function load_core()
  local ok, mod = pcall(require, "imerr.sig_core")
  if not ok then
    error("callback.verify needs imerr.sig_core, which is built only where " ..
      "OpenSSL's libcrypto and zlib are found (Debian: libssl-dev and " ..
      "zlib1g-dev, then rebuild or reinstall imerr)", 3)
  end
  core = mod
  return mod
end

local OPTIONS = { tokens = true, sdkappid = true, now = true, window = true }
local TOKEN_MAX = 1024
local WINDOW_MAX = 3600

-- The clock of callback.verify when opts.now is not given.
local clock

local function check_token(t)
  return type(t) == "string" and t ~= "" and #t <= TOKEN_MAX
end

-- tokens, now and window from opts, or nil and what is wrong with them.
-- Messages name options, never a token.
local function options(opts)
  if type(opts) ~= "table" then
    return nil, "callback.verify options must be a table"
  end
  local bad = private.unknown_option(opts, OPTIONS, "callback.verify")
  if bad then return nil, bad end
  local tokens = opts.tokens
  if type(tokens) ~= "table" or not check_token(tokens[1]) or
    (tokens[2] ~= nil and not check_token(tokens[2])) then
    return nil, "callback.verify tokens must be { current, previous }: " ..
      "1 or 2 strings of 1 to 1024 bytes"
  end
  for k in pairs(tokens) do
    if k ~= 1 and k ~= 2 then
      return nil, "callback.verify tokens must be { current, previous }"
    end
  end
  local appid = opts.sdkappid
  if appid ~= nil and (type(appid) ~= "number" or appid < 1 or
    appid ~= math.floor(appid) or appid > 4294967295) then
    return nil, "callback.verify sdkappid must be an integer in [1, 4294967295]"
  end
  local window = opts.window or 60
  if type(window) ~= "number" or not (window > 0 and window <= WINDOW_MAX) then
    return nil, "callback.verify window must be a number of seconds in " ..
      "(0, 3600]"
  end
  local now = opts.now
  if now == nil then
    clock = clock or private.default_clock()
    now = clock()
  end
  if type(now) ~= "number" or not (now >= 0 and now < 2 ^ 40) then
    return nil, "callback.verify now must be a number of seconds in [0, 2^40)"
  end
  return tokens, now, window
end

--- callback.verify(args, { tokens = { current, previous }, sdkappid = n,
-- now = t, window = 60 }) -> true, or nil and why not:
-- "unsigned": no Sign or no RequestTime at all;
-- "wrong_app": sdkappid given and SdkAppid is another (or missing);
-- "stale": RequestTime more than window seconds from now, either way;
-- "bad_sign": Sign is no token's, or Sign or RequestTime is not one value
-- of the right form (repeated, valueless, not digits).
-- args is the query's arguments as ngx.req.get_uri_args() gives them
-- (strings, tables for repeated names, true for a name without value).
-- Both tokens are accepted during a rotation; Sign is compared in constant
-- time. A bad opts gives nil and a message that is none of the reasons.
-- @tparam table args the callback's query arguments
-- @tparam table opts tokens (the current one, then the previous one or
-- nothing), sdkappid (optional), now (Unix seconds, the clock unless
-- given), window (seconds, 60 unless given)
-- @treturn boolean true
-- @return[2] nil
-- @treturn[2] string the reason above, or what is wrong with opts
function _M.verify(args, opts)
  local tokens, now, window = options(opts)
  if not tokens then return nil, now end
  local c = core or load_core()
  if type(args) ~= "table" then return nil, "unsigned" end
  local sign, time = args.Sign, args.RequestTime
  if sign == nil or time == nil then return nil, "unsigned" end
  local appid = opts.sdkappid
  if appid then
    local given = args.SdkAppid
    if type(given) ~= "string" or not given:find("^%d+$") or #given > 12 or
      tonumber(given) ~= appid then
      return nil, "wrong_app"
    end
  end
  if type(sign) ~= "string" or #sign ~= 64 or type(time) ~= "string" or
    #time > 12 or not time:find("^%d+$") then
    return nil, "bad_sign"
  end
  local t = tonumber(time)
  if t > now + window or t < now - window then return nil, "stale" end
  if c.callback_check(tokens[1], time, sign) or
    (tokens[2] and c.callback_check(tokens[2], time, sign)) then
    return true
  end
  return nil, "bad_sign"
end

return _M
