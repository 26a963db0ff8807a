--- imerr.sig: Tencent IM UserSigs (TLS Sig API v2) made and checked, and
-- the Sign of Tencent's callbacks. The document, the signed text, zlib and
-- the base64 alphabet are Tencent's: its servers and libraries accept
-- what usersig makes, and verify_usersig accepts what they make.
-- verify_usersig never raises on what it is given to check, inflates at
-- most DOC_MAX bytes (a zip bomb is "malformed") and compares signatures
-- in constant time.
--
-- The C part, imerr.sig_core, needs OpenSSL's libcrypto and zlib: it is
-- built only where both were found, and requiring imerr.sig without it
-- raises an error that says so. Keys never appear in a message.
-- @module imerr.sig
local private = require "imerr._private"

local ok, core = pcall(require, "imerr.sig_core")
if not ok then
  error("imerr.sig needs its C module imerr.sig_core, which is built only " ..
    "where OpenSSL's libcrypto and zlib are found (Debian: libssl-dev and " ..
    "zlib1g-dev, then rebuild or reinstall imerr)", 2)
end

local type, floor, setmetatable = type, math.floor, setmetatable
local make, verify, callback_sign = core.make, core.verify, core.callback_sign
local quote = private.quote

local _M = { _VERSION = core.VERSION }

--- Most bytes a document may inflate to (4096); more is "malformed".
_M.DOC_MAX = core.DOC_MAX
--- Longest UserSig verify_usersig reads (8192 bytes).
_M.TEXT_MAX = core.TEXT_MAX
-- The bounds the checks read: locals, so that no caller can change them
-- for the whole process; the fields below only report them (read-only).
local IDENTIFIER_MAX, USERBUF_MAX = core.IDENTIFIER_MAX, core.USERBUF_MAX
local DEFAULT_EXPIRE, MAX_EXPIRE = 86400 * 180, 86400 * 365 * 50
--- Longest identifier (32 bytes, Tencent's limit for a UserID).
_M.IDENTIFIER_MAX = IDENTIFIER_MAX
--- Longest userbuf (1024 bytes).
_M.USERBUF_MAX = USERBUF_MAX
--- Tencent's server libraries' validity, and usersig's default: 180 days.
_M.DEFAULT_EXPIRE = DEFAULT_EXPIRE
--- Longest validity usersig makes: 50 years, Tencent's documented limit.
_M.MAX_EXPIRE = MAX_EXPIRE

local SDKAPPID_MAX = 4294967295 -- SDKAppIDs are 32-bit (TRTC's userbuf)
local NOW_MAX = 2 ^ 40 -- seconds: far beyond any clock, far below 2^53

local function integer_in(v, lo, hi)
  return type(v) == "number" and v >= lo and v <= hi and v == floor(v)
end

-- now in whole seconds, or nil and a message naming what it is.
local function whole_seconds(now, what)
  if type(now) ~= "number" or not (now >= 0 and now < NOW_MAX) then
    return nil, what .. " must be a number of seconds in [0, 2^40)"
  end
  return floor(now)
end

-- The option now, else the clock's time (ngx.now in nginx).
local clock
local function read_now(now, where)
  if now == nil then
    clock = clock or private.default_clock()
    now = clock()
  end
  return whole_seconds(now, where .. " now")
end

local function check_sdkappid(v, where)
  if not integer_in(v, 1, SDKAPPID_MAX) then
    return where .. " sdkappid must be an integer in [1, 4294967295]"
  end
end

local function check_key(v, where)
  if type(v) ~= "string" or v == "" or #v > core.KEY_MAX then
    return where .. " key must be a string of 1 to " .. core.KEY_MAX .. " bytes"
  end
end

local function check_identifier(v, where)
  if type(v) ~= "string" or not v:find("^[\32-\126]+$") or
    #v > IDENTIFIER_MAX then
    return where .. " identifier must be 1 to 32 bytes of printable ASCII"
  end
end

local unknown = private.unknown_option

local USERSIG_OPTIONS = { sdkappid = true, key = true, identifier = true,
  expire = true, now = true, userbuf = true }

-- The error of usersig's options, or nil.
local function check_usersig(o)
  local err = unknown(o, USERSIG_OPTIONS, "usersig") or
    check_sdkappid(o.sdkappid, "usersig") or check_key(o.key, "usersig") or
    check_identifier(o.identifier, "usersig")
  if err then return err end
  if o.expire ~= nil and not integer_in(o.expire, 1, MAX_EXPIRE) then
    return "usersig expire must be a whole number of seconds in [1, 50 years]"
  end
  if o.userbuf ~= nil and (type(o.userbuf) ~= "string" or
    #o.userbuf > USERBUF_MAX) then
    return "usersig userbuf must be a string of at most 1024 bytes"
  end
end

--- sig.usersig{ sdkappid = n, key = s, identifier = s, expire = seconds,
-- now = t, userbuf = s } -> a UserSig.
-- @tparam table opts sdkappid (integer), key (the app's secret key),
-- identifier (1 to 32 bytes of printable ASCII), expire (seconds, 180 days
-- unless given), now (Unix seconds, the clock unless given; fractions are
-- dropped), userbuf (optional bytes, TRTC's)
-- @treturn string the UserSig
-- @return[2] nil
-- @treturn[2] string what is wrong with opts (never the key itself)
function _M.usersig(opts)
  if type(opts) ~= "table" then
    return nil, "usersig options must be a table"
  end
  local err = check_usersig(opts)
  if err then return nil, err end
  local now
  now, err = read_now(opts.now, "usersig")
  if not now then return nil, err end
  return make(opts.sdkappid, opts.key, opts.identifier, now,
    opts.expire or DEFAULT_EXPIRE, opts.userbuf)
end

local VERIFY_OPTIONS = { sdkappid = true, key = true, identifier = true,
  now = true }

--- sig.verify_usersig(usersig, { sdkappid = n, key = s, identifier = s,
-- now = t }) -> the document's fields, or nil and why not: "malformed"
-- (not a UserSig: bad text, bad zlib stream, more than DOC_MAX bytes, not
-- exactly the document's JSON), "wrong_sdkappid", "wrong_identifier",
-- "expired" (now > time + expire), "bad_signature", checked in that
-- order (Tencent's Go verifier's). Whatever usersig is, it never raises.
-- @param usersig the UserSig to check (anything: not a string is malformed)
-- @tparam table opts sdkappid, key and identifier expected; now (Unix
-- seconds, the clock unless given)
-- @treturn table { identifier, sdkappid, time, expire, userbuf } (userbuf
-- only when the document has one, decoded)
-- @return[2] nil
-- @treturn[2] string the reason above, or what is wrong with opts
function _M.verify_usersig(usersig, opts)
  if type(opts) ~= "table" then
    return nil, "verify_usersig options must be a table"
  end
  local where = "verify_usersig"
  local err = unknown(opts, VERIFY_OPTIONS, where) or
    check_sdkappid(opts.sdkappid, where) or check_key(opts.key, where)
  if err then return nil, err end
  if type(opts.identifier) ~= "string" then
    return nil, "verify_usersig identifier must be a string"
  end
  local now
  now, err = read_now(opts.now, where)
  if not now then return nil, err end
  return verify(usersig, opts.sdkappid, opts.key, opts.identifier, now)
end

--- sig.callback_sign(token, request_time) -> the Sign Tencent adds to a
-- callback's query string: lowercase hex SHA-256 of the token followed by
-- the decimal RequestTime.
-- @string token the callback token (1 to 1024 bytes)
-- @tparam number|string request_time Unix seconds: a whole number, or its
-- decimal digits as they appear in the query string
-- @treturn string 64 hex digits
-- @return[2] nil
-- @treturn[2] string what is wrong with the arguments
function _M.callback_sign(token, request_time)
  if type(token) ~= "string" or token == "" or #token > core.TOKEN_MAX then
    return nil, "callback token must be a string of 1 to 1024 bytes"
  end
  local text = request_time
  if integer_in(request_time, 0, NOW_MAX) then
    text = ("%d"):format(request_time)
  end
  if type(text) ~= "string" or not text:find("^%d+$") or
    #text > core.TIME_MAX then
    return nil, "request_time must be a whole number of seconds or its digits"
  end
  return callback_sign(token, text)
end

local Admin = {}
Admin.__index = Admin

-- Each admin's key, kept out of the object: printing or serializing an
-- admin never shows it.
local keys = setmetatable({}, { __mode = "k" })

local ADMIN_OPTIONS = { sdkappid = true, key = true, identifier = true,
  expire = true, renew_before = true, clock = true }

--- sig.admin{ sdkappid = n, key = s, identifier = "administrator",
-- expire = 86400 * 180, renew_before = seconds, clock = fn } -> an admin
-- whose get() returns a cached UserSig. Each nginx worker (each Lua state)
-- holds its own and renews it by itself, without I/O or a shared secret:
-- no herd, nothing in a shared dict. The first UserSig is made here.
-- @tparam table opts sdkappid and key; identifier (the app admin's,
-- "administrator" unless given); expire (seconds, 180 days unless given);
-- renew_before (seconds of validity left when get() renews: a day, or half
-- of expire when that is less; it must cover the clocks' skew); clock (a
-- function giving Unix seconds: ngx.now in nginx, else a wall clock)
-- @treturn Admin an admin with fields sdkappid, identifier, expire,
-- renew_before
-- @return[2] nil
-- @treturn[2] string what is wrong with opts (never the key itself)
function _M.admin(opts)
  if type(opts) ~= "table" then return nil, "admin options must be a table" end
  local where = "admin"
  local expire = opts.expire or DEFAULT_EXPIRE
  local err = unknown(opts, ADMIN_OPTIONS, where) or
    check_sdkappid(opts.sdkappid, where) or check_key(opts.key, where) or
    check_identifier(opts.identifier or "administrator", where)
  if err then return nil, err end
  if not integer_in(expire, 1, MAX_EXPIRE) then
    return nil, "admin expire must be a whole number of seconds in " ..
      "[1, 50 years]"
  end
  local renew_before = opts.renew_before or
    (expire / 2 < 86400 and floor(expire / 2) or 86400)
  if type(renew_before) ~= "number" or not (renew_before >= 0) or
    renew_before >= expire then
    return nil, "admin renew_before must be a number of seconds in " ..
      "[0, expire)"
  end
  if opts.clock ~= nil and type(opts.clock) ~= "function" then
    return nil, "admin clock must be a function"
  end
  local a = setmetatable({ sdkappid = opts.sdkappid,
    identifier = opts.identifier or "administrator", expire = expire,
    renew_before = renew_before,
    clock = opts.clock or private.default_clock() }, Admin)
  keys[a] = opts.key
  local s
  s, err = a:renew()
  if not s then return nil, err end
  return a
end

--- An admin's UserSig for REST calls, made by sig.admin.
-- @type Admin

--- admin:renew() -> a UserSig made now (after a relogin answer: 70001 and
-- the other relogin codes), which get() returns from then on.
-- @treturn string the UserSig
-- @return[2] nil
-- @treturn[2] string when the clock gives no usable time
function Admin:renew()
  local now, err = whole_seconds(self.clock(), "admin clock's time")
  if not now then return nil, err end
  local s = make(self.sdkappid, keys[self], self.identifier, now, self.expire)
  self.made, self.renew_at, self.usersig = now,
    now + self.expire - self.renew_before, s
  return s
end

--- admin:get() -> the cached UserSig, or a new one when less than
-- renew_before seconds of it remain by the clock. Costs a clock read and
-- a comparison while the cached one is good.
-- @treturn string the UserSig
-- @return[2] nil
-- @treturn[2] string when the clock gives no usable time
function Admin:get()
  local now = self.clock()
  if type(now) == "number" and now < self.renew_at then return self.usersig end
  return self:renew()
end

--- admin:expires() -> when the cached UserSig expires (Unix seconds).
-- @treturn number time + expire of the cached UserSig
function Admin:expires()
  return self.made + self.expire
end

--- The admin as text: its app and identifier, never its key.
-- @treturn string imerr.sig.admin(sdkappid, "identifier")
function Admin:__tostring()
  return ("imerr.sig.admin(%d, %s)"):format(self.sdkappid,
    quote(self.identifier))
end

return _M
