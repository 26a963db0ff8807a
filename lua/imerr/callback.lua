--- imerr.callback: answers for Tencent IM's third-party callbacks.
-- Before-send callbacks read ErrorCode: 0 allows, 1 rejects (the sender
-- gets 20006), 2 drops silently, and a code of an app-defined range
-- (120001..130000 for one-to-one messages, 10100..10200 for group
-- callbacks, 38000..39000 for friend callbacks) rejects and passes the
-- app's code and ErrorInfo through to the client. ErrorInfo
-- is cut to MAX_INFO bytes; encode writes valid UTF-8 whatever it holds.
-- @module imerr.callback
local imerr = require "imerr"
local rows = require "imerr._rows"
local json = require "imerr._json"
local private = require "imerr._private"
local sdkappid = require "imerr._app"
local quote = private.quote

local type, floor, concat, tostring = type, math.floor, table.concat, tostring
local rawget = rawget
-- The range of Tencent's ErrorCode (a signed 32-bit integer).
local INT32_MIN, INT32_MAX = -2147483648, 2147483647

local _M = { _VERSION = imerr._VERSION,
  ALLOW = 0, REJECT = 1, DROP = 2, APP_MIN = 120001, APP_MAX = 130000 }

local KEYS = { "ActionStatus", "ErrorCode", "ErrorInfo" }

--- ErrorCode 0: allows the message or operation.
-- @field ALLOW

--- ErrorCode 1: rejects; the sender gets 20006.
-- @field REJECT

--- ErrorCode 2: drops silently.
-- @field DROP

--- 120001, the first code of the one-to-one messages' app-defined range.
-- @field APP_MIN

--- 130000, the last code of that range (APP_RANGES has all of them).
-- @field APP_MAX

--- The app-defined ranges, from the table's rows (reason app_defined):
-- a list of { first, last, name } in ascending order. A copy for callers:
-- the checks read their own list, so changing this one changes nothing.
_M.APP_RANGES = {}
-- What the checks read: first and last code of each range.
local ranges = {}
local range_text = {}
-- From the private rows (what a caller writes into a public row changes
-- nothing here).
for _, i in ipairs(rows.ranges) do
  local code, last = rows.codes[i], rows.lasts[i]
  if rows.hints[code].reason == "app_defined" then
    ranges[#ranges + 1] = { code, last }
    _M.APP_RANGES[#_M.APP_RANGES + 1] = { code, last, imerr.name(code) }
    range_text[#range_text + 1] = code .. ".." .. last
  end
end
range_text = concat(range_text, ", ")

local function app_defined(code)
  for i = 1, #ranges do
    local r = ranges[i]
    if code >= r[1] and code <= r[2] then return true end
  end
  return false
end

-- Read by answer: a local, so that no caller can change it.
local MAX_INFO = 256

--- ErrorInfo reaches the sender's client: longer texts are cut (on a
-- UTF-8 character boundary) to this many bytes and "...": 256 (a
-- read-only constant; changing this field changes nothing).
_M.MAX_INFO = MAX_INFO

local function answer(code, info)
  if info then info = json.truncate(info, MAX_INFO) end
  return { ActionStatus = "OK", ErrorCode = code, ErrorInfo = info or "" }
end

local function check_info(info)
  if info ~= nil and type(info) ~= "string" then
    return "ErrorInfo must be a string, got " .. type(info)
  end
end

--- The answer that lets the message or operation through.
-- @treturn table { ActionStatus = "OK", ErrorCode = 0, ErrorInfo = "" }
function _M.allow()
  return answer(_M.ALLOW)
end

--- The answer that drops the message silently.
-- @treturn table { ActionStatus = "OK", ErrorCode = 2, ErrorInfo = "" }
function _M.drop()
  return answer(_M.DROP)
end

--- reject([info]) rejects with ErrorCode 1; reject(code, [info]) with the
-- app's own code, which must lie in an app-defined range (APP_RANGES).
-- Returns the answer, or nil and a message.
-- @tparam[opt] number|string code the app's code; or info when a string
-- @string[opt] info the ErrorInfo for the client
-- @treturn table the answer
-- @return[2] nil
-- @treturn[2] string what is wrong with code or info
function _M.reject(code, info)
  if type(code) == "string" and info == nil then code, info = nil, code end
  local err = check_info(info)
  if err then return nil, err end
  if code == nil then return answer(_M.REJECT, info) end
  if type(code) ~= "number" or code ~= floor(code) or
    not app_defined(code) then
    return nil, ("app code must be an integer in %s, got %s"):format(
      range_text, type(code) == "string" and quote(code, 40) or
        tostring(code):sub(1, 40))
  end
  return answer(code, info)
end

--- The JSON text of an answer, or nil and a message when ans is not a
-- table, its ErrorCode is not an integer in the 32-bit signed range
-- Tencent reads, or a field has no JSON value (a NaN, an infinity, a
-- table): never a null or an inf in its place.
-- @tparam table ans an answer of allow, drop or reject
-- @treturn string JSON text
-- @return[2] nil
-- @treturn[2] string what is wrong with ans
function _M.encode(ans)
  if type(ans) ~= "table" then
    return nil, "answer must be a table, got " .. type(ans)
  end
  -- Tencent reads ErrorCode: an answer without one would be taken as
  -- nothing at all (and the message delivered). It is a 32-bit signed
  -- integer there: a code out of that range (or an infinity, which would
  -- pass the integer test) is no code Tencent can read.
  local code = rawget(ans, "ErrorCode")
  if type(code) ~= "number" or code ~= floor(code) or code < INT32_MIN or
    code > INT32_MAX then
    return nil, "answer needs an integer ErrorCode in " .. INT32_MIN ..
      ".." .. INT32_MAX .. " (use allow, reject or drop), got " ..
      (type(code) == "number" and (json.number(code) or tostring(code)) or
        type(code))
  end
  return json.object(ans, KEYS)
end

--- The allow answer as JSON text, for handlers that answer on every call.
_M.ALLOW_JSON = _M.encode(_M.allow())
--- The drop answer as JSON text.
_M.DROP_JSON = _M.encode(_M.drop())

--- The CallbackCommand of Tencent's over-limit alert: an API's request
-- rate passed 80% of its limit (cloud.tencent.com/document/product/269/105418).
-- (read-only: the reader compares with its own copy).
local OVER_LIMIT = sdkappid.OVER_LIMIT
_M.OVER_LIMIT = OVER_LIMIT

-- A count of calls a second as the alert carries it: a number, or its
-- decimal text (a decoder may hand either), whole and not negative.
local function qps(v)
  if type(v) == "string" and v:find("^%d+$") and #v <= 15 then
    v = tonumber(v)
  end
  if type(v) == "number" and v >= 0 and v == floor(v) and v < 2 ^ 53 then
    return v
  end
end

-- A ServiceName or Command: what a path segment of v4/<service>/<command>
-- may be.
local function segment(v)
  return type(v) == "string" and #v <= 64 and v:find("^[%w_]+$") ~= nil
end

--- callback.over_limit(body[, args]) reads an Alert.RequestOverLimit
-- callback, which Tencent sends once a callback URL is set and an API's
-- request rate passes 80% of its limit. body is the decoded JSON body
-- (a table); args, optional, the URL's query arguments (SdkAppid).
-- Returns { alert = "Alert.RequestOverLimit", api = "v4/<ServiceName>/
-- <Command>", service, command, qps (Request: the API's calls a second
-- now), limit (Limit: its limit), ratio (qps / limit, or nil when limit
-- is 0), app (args.SdkAppid as canonical decimal text, "1400000001",
-- or nil when it is no SDKAppID) }, which limiter:observe takes to slow
-- every limiter of that API and app before Tencent
-- throttles; or nil and a message for any other body. Answer the
-- callback with callback.ALLOW_JSON: Tencent ignores the answer.
-- @tparam table body the decoded callback body
-- @tparam[opt] table args the query arguments of the callback URL
-- @treturn table what the alert says
-- @return[2] nil
-- @treturn[2] string why it is no over-limit alert
function _M.over_limit(body, args)
  if type(body) ~= "table" then
    return nil, "over_limit needs the decoded callback body (a table), got "
      .. type(body)
  end
  local command = rawget(body, "CallbackCommand")
  if command ~= OVER_LIMIT then
    return nil, "not an over-limit alert: CallbackCommand is " ..
      (type(command) == "string" and quote(command, 60) or type(command))
  end
  local service, cmd = rawget(body, "ServiceName"), rawget(body, "Command")
  if not (segment(service) and segment(cmd)) then
    return nil, "over-limit alert without a usable ServiceName and Command"
  end
  local now, limit = qps(rawget(body, "Request")), qps(rawget(body, "Limit"))
  if not (now and limit) then
    return nil, "over-limit alert: Request and Limit must be whole " ..
      "numbers of calls a second"
  end
  -- The SDKAppID as the limiters key it (nil when it is none).
  local app = type(args) == "table" and
    sdkappid.key(rawget(args, "SdkAppid")) or nil
  return { alert = OVER_LIMIT, api = "v4/" .. service .. "/" .. cmd,
    service = service, command = cmd, qps = now, limit = limit,
    ratio = limit > 0 and now / limit or nil, app = app }
end

--- callback.verify(args, { tokens = { current, previous }, sdkappid = n,
-- now = t, window = 60 }) -> true, or nil and a reason: "unsigned",
-- "stale", "bad_sign" or "wrong_app" (any other message: the options are
-- wrong). args is the callback's query arguments as a table
-- (ngx.req.get_uri_args()). Sign is checked in constant time against
-- every token given (two during a rotation); RequestTime must be within
-- window seconds of now, either way. Needs imerr.sig_core (OpenSSL).
-- @function verify
-- @tparam table args the query arguments
-- @tparam table opts tokens (a list of one or two), sdkappid, now, window
-- @treturn boolean true when the callback is Tencent's
-- @return[2] nil
-- @treturn[2] string the reason
_M.verify = require("imerr._callback_verify").verify

return _M
