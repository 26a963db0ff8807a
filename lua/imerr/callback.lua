--- imerr.callback: answers for Tencent IM's third-party callbacks.
-- Before-send callbacks read ErrorCode: 0 allows, 1 rejects (the sender
-- gets 20006), 2 drops silently, and a code of an app-defined range
-- (120001..130000 for one-to-one messages, 10100..10200 for group
-- callbacks, 38000..39000 for friend callbacks) rejects and passes the
-- app's code and ErrorInfo through to the client. ErrorInfo
-- is cut to MAX_INFO bytes; encode writes valid UTF-8 whatever it holds.
-- @module imerr.callback
local imerr = require "imerr"
local json = require "imerr._json"
local private = require "imerr._private"
local quote = private.quote

local type, floor, concat, tostring = type, math.floor, table.concat, tostring
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
-- a list of { first, last, name } in ascending order.
_M.APP_RANGES = {}
local range_text = {}
-- Only the ranges' rows are made: imerr.entries() would make them all.
for _, code in ipairs(private.range_codes) do
  local row = imerr.lookup(code)
  if row.hint.reason == "app_defined" then
    _M.APP_RANGES[#_M.APP_RANGES + 1] = { code, row.last, row.name }
    range_text[#range_text + 1] = code .. ".." .. row.last
  end
end
range_text = concat(range_text, ", ")

local function app_defined(code)
  for _, r in ipairs(_M.APP_RANGES) do
    if code >= r[1] and code <= r[2] then return true end
  end
  return false
end

--- ErrorInfo reaches the sender's client: longer texts are cut (on a
-- UTF-8 character boundary) to this many bytes and "...".
_M.MAX_INFO = 256

local function answer(code, info)
  if info then info = json.truncate(info, _M.MAX_INFO) end
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

return _M
