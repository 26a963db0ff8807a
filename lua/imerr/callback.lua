--- imerr.callback: answers for Tencent IM's third-party callbacks.
-- Before-send callbacks read ErrorCode: 0 allows, 1 rejects (the sender
-- gets 20006), 2 drops silently, and a code in 120001..130000 rejects and
-- passes the app's code and ErrorInfo through to the client.
local imerr = require "imerr"
local json = require "imerr._json"

local type, floor = type, math.floor

local _M = { _VERSION = imerr._VERSION,
  ALLOW = 0, REJECT = 1, DROP = 2, APP_MIN = 120001, APP_MAX = 130000 }

local KEYS = { "ActionStatus", "ErrorCode", "ErrorInfo" }

local function answer(code, info)
  return { ActionStatus = "OK", ErrorCode = code, ErrorInfo = info or "" }
end

local function check_info(info)
  if info ~= nil and type(info) ~= "string" then
    return "ErrorInfo must be a string, got " .. type(info)
  end
end

--- The answer that lets the message or operation through.
function _M.allow()
  return answer(_M.ALLOW)
end

--- The answer that drops the message silently.
function _M.drop()
  return answer(_M.DROP)
end

--- reject([info]) rejects with ErrorCode 1; reject(code, [info]) with the
-- app's own code, which must lie in 120001..130000. Returns the answer,
-- or nil and a message.
function _M.reject(code, info)
  if type(code) == "string" and info == nil then code, info = nil, code end
  local err = check_info(info)
  if err then return nil, err end
  if code == nil then return answer(_M.REJECT, info) end
  if type(code) ~= "number" or code ~= floor(code) or
    not (code >= _M.APP_MIN and code <= _M.APP_MAX) then
    return nil, ("app code must be an integer in %d..%d, got %s"):format(
      _M.APP_MIN, _M.APP_MAX, tostring(code):sub(1, 40))
  end
  return answer(code, info)
end

--- The JSON text of an answer.
function _M.encode(ans)
  if type(ans) ~= "table" then
    return nil, "answer must be a table, got " .. type(ans)
  end
  return json.object(ans, KEYS)
end

-- The two fixed answers as text, for handlers that answer on every call.
_M.ALLOW_JSON = _M.encode(_M.allow())
_M.DROP_JSON = _M.encode(_M.drop())

return _M
