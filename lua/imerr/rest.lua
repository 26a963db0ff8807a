--- imerr.rest: reads Tencent IM REST API answers.
-- An answer is a JSON object with ActionStatus ("OK" or "FAIL"),
-- ErrorCode, ErrorInfo, usually RequestId, and for batch APIs an
-- ErrorList of per-item failures.
local imerr = require "imerr"
local hints = require "imerr.hint"

local type, pcall, tostring = type, pcall, tostring
local rawget = rawget

local _M = { _VERSION = imerr._VERSION }

-- Deeper JSON is no IM answer; cjson refuses it before building it.
_M.MAX_DEPTH = 64
-- ErrorList items read at most: bounds the work a junk answer can cause.
local MAX_ITEMS = 100000

local ACCOUNT_KEYS = { "To_Account", "Member_Account", "UserID", "Account" }

-- The first JSON decoder available: a private cjson instance (so its
-- settings never touch other users of cjson), else dkjson.
local function find_decoder()
  local ok, cjson = pcall(require, "cjson.safe")
  if ok and type(cjson) == "table" and cjson.new then
    local inst = cjson.new()
    inst.decode_max_depth(_M.MAX_DEPTH)
    return inst.decode
  end
  local has_dk, dkjson = pcall(require, "dkjson")
  if has_dk and type(dkjson) == "table" then
    return function(text)
      local v, _, err = dkjson.decode(text, 1, nil)
      return v, err
    end
  end
end
local default_decode = find_decoder()

-- A fresh error table: a hint's fields, with the code, name and info.
local function error_table(hint, code, name, info)
  return { code = code, name = name, info = info,
    class = hint.class, reason = hint.reason, action = hint.action,
    http_status = hint.http_status, severity = hint.severity,
    min_delay = hint.min_delay }
end

-- An error table for an answer that is not a valid envelope.
local function broken(why)
  return error_table(hints.BAD_RESPONSE, nil, nil, why)
end

-- An ErrorCode is a JSON number that is a valid code.
local function is_code(v)
  return type(v) == "number" and imerr.to_code(v) ~= nil
end

-- An error table for a code, with its hint.
local function failure(code, info)
  local row = imerr.lookup(code)
  return error_table(row and row.hint or hints.UNKNOWN, code,
    row and row.name, type(info) == "string" and info or nil)
end

-- The failed items of an ErrorList, or nil when there are none.
local function item_failures(list)
  if type(list) ~= "table" then return nil end
  local out = {}
  for i = 1, math.min(rawlen and rawlen(list) or #list, MAX_ITEMS) do
    local item = rawget(list, i)
    local f
    if type(item) ~= "table" then
      f = broken("ErrorList item " .. i .. " is not an object")
    elseif rawget(item, "ErrorCode") ~= 0 then
      local code = rawget(item, "ErrorCode")
      if is_code(code) then
        f = failure(code, rawget(item, "ErrorInfo"))
      else
        f = broken("ErrorList item " .. i .. " has no valid ErrorCode")
      end
      for _, key in ipairs(ACCOUNT_KEYS) do
        local account = rawget(item, key)
        if type(account) == "string" then
          f.account = account
          break
        end
      end
    end
    if f then out[#out + 1] = f end
  end
  if #out > 0 then return out end
end

local function decode_text(text, decode)
  if text == "" then return nil, "empty answer" end
  -- JSON text never holds a raw NUL; some decoders stop reading at one.
  if text:find("\0", 1, true) then return nil, "answer has a NUL byte" end
  decode = decode or default_decode
  if not decode then
    return nil, "no JSON decoder: install lua-cjson (or dkjson), or pass one"
  end
  local ok, v, err = pcall(decode, text)
  if not ok or v == nil then
    return nil, "answer is not JSON: " .. tostring(ok and err or v):sub(1, 200)
  end
  return v
end

--- rest.check(answer, [decode]) -> the decoded answer and, for a batch
-- with failed items, their list (each with account, code, info, class,
-- reason, action, ...); or nil and an error table with code, name, info,
-- request_id, class, reason, action, http_status, severity, min_delay
-- and failures. answer is a decoded table or the JSON text; decode
-- replaces the JSON decoder. Junk gives reason "bad_response".
function _M.check(answer, decode)
  if type(answer) == "string" then
    local v, err = decode_text(answer, decode)
    if v == nil then return nil, broken(err) end
    answer = v
  end
  if type(answer) ~= "table" then
    return nil, broken("answer must be a JSON object, got " .. type(answer))
  end
  -- Raw reads: a table's metatable gets no say in what the answer holds.
  if rawget(answer, 1) ~= nil then
    return nil, broken("answer is a JSON array, not an object")
  end
  local status = rawget(answer, "ActionStatus")
  local code = rawget(answer, "ErrorCode")
  local failures = item_failures(rawget(answer, "ErrorList"))
  if status == "OK" and (code == nil or code == 0) then
    return answer, failures
  end
  if status ~= "OK" and status ~= "FAIL" then
    return nil, broken("ActionStatus must be OK or FAIL, got " ..
      (type(status) == "string" and ("%q"):format(status:sub(1, 40)) or
        type(status)))
  end
  if not is_code(code) or code == 0 then
    return nil, broken("a failed answer needs a non-zero integer ErrorCode")
  end
  local err = failure(code, rawget(answer, "ErrorInfo"))
  local request_id = rawget(answer, "RequestId")
  if type(request_id) == "string" then err.request_id = request_id end
  err.failures = failures
  return nil, err
end

return _M
