--- imerr._hint (internal): what to do about a code, as data. A row's hint
-- comes from data/ (imerr.lookup(code).hint); this module answers for
-- what has no
-- row (an unknown code, bad input, a broken answer, an HTTP status of the
-- transport), classifies codes, and turns whatever a caller passes for a
-- code into the private hint that decisions read. The hints it gives are
-- plain tables shared by every caller (treat them as read-only): what a
-- caller writes into one changes no decision. imerr.retry hands out
-- what callers use of it.
-- @module imerr._hint
local rows = require "imerr._rows"

local type, floor, rawget = type, math.floor, rawget
local to_code, row_hint = rows.to_code, rows.hint
local hint_of, reasons = rows.hints, rows.private_reasons()
local PUBLIC, private_of, public = rows.PUBLIC, rows.private_of, rows.public

local _M = { _VERSION = rows.VERSION }

local CLASSES = { ok = true, transient = true, fatal = true }
-- data/actions.tsv's actions (retry, retry_later, ..., check_region, none).
local ACTIONS = rows.actions

-- reason -> action -> public hint, for the hints made here.
local made = {}

-- The public copy of a private hint made from a reason's entry in
-- data/reasons.tsv.
local function make(name, action, status, ambiguous)
  local r = reasons[name]
  if ambiguous == nil then ambiguous = r.ambiguous end
  return public { class = r.class, reason = name, action = action,
    min_delay = 0, http_status = r.http_status, severity = r.severity,
    status = status, ambiguous = ambiguous }
end

--- The hint for a reason that has no row ("unknown", "invalid",
-- "bad_response", "timeout", ...): the fields of a row's hint, min_delay 0,
-- action "none" unless given. The same table for the same reason and
-- action; nil and a message for an unknown reason or action.
-- @string name a reason of data/reasons.tsv
-- @string[opt="none"] action an action (retry, retry_later, reduce_rate,
-- reconnect, wait_in_progress, relogin, fix_request, fix_config,
-- check_region, none: data/actions.tsv)
-- @treturn table the hint
-- @return[2] nil
-- @treturn[2] string for an unknown reason or action
function _M.reason_hint(name, action)
  action = action or "none"
  if type(name) ~= "string" or not reasons[name] then
    return nil, "unknown reason: " ..
      (type(name) == "string" and name or "a " .. type(name))
  end
  if not ACTIONS[action] then
    return nil, "unknown action: " ..
      (type(action) == "string" and action or "a " .. type(action))
  end
  local by_action = made[name] or {}
  made[name] = by_action
  local hint = by_action[action] or make(name, action)
  by_action[action] = hint
  return hint
end

-- Hints for what has no row: an unknown code, something that is not a
-- code, an answer that is not a valid REST envelope.

--- The hint of an unknown code (reason "unknown").
-- @table UNKNOWN

--- The hint of something that is not a code (reason "invalid").
-- @table INVALID

--- The hint of an answer that is not a valid REST envelope (reason
-- "bad_response").
-- @table BAD_RESPONSE
_M.UNKNOWN = _M.reason_hint("unknown")
_M.INVALID = _M.reason_hint("invalid")
_M.BAD_RESPONSE = _M.reason_hint("bad_response")
local UNKNOWN, INVALID = private_of[_M.UNKNOWN], private_of[_M.INVALID]

-- Transport failures (an HTTP status other than 200 from the REST API's
-- gateway) are not IM codes; these are the ones worth retrying, as AWS
-- and Envoy retry them, with the action each one asks for.
local HTTP_RETRYABLE = {
  [408] = { "timeout", "retry" }, [429] = { "rate_limited", "reduce_rate" },
  [500] = { "server_error", "retry" }, [502] = { "server_error", "retry" },
  [503] = { "overload", "retry_later" }, [504] = { "timeout", "retry" },
}
local http_hints = {}

--- The hint for an HTTP status of the transport: transient for 408,
-- 429, 500, 502, 503 and 504, else fatal with reason "bad_response"; the
-- status is its field `status`. A 4xx status is never ambiguous: the
-- request was refused (408: it never fully arrived). One table per
-- status.
-- @int status an HTTP status, 100..599
-- @treturn table the hint
-- @return[2] nil
-- @treturn[2] string when status is no integer in 100..599
function _M.http_hint(status)
  local hint = http_hints[status]
  if hint then return hint end
  if type(status) ~= "number" or status ~= floor(status) or status < 100 or
    status > 599 then
    return nil, "HTTP status must be an integer 100..599"
  end
  local kind = HTTP_RETRYABLE[status] or { "bad_response", "none" }
  local ambiguous -- the reason's, unless the status refused the request
  if status < 500 then ambiguous = false end
  hint = make(kind[1], kind[2], status, ambiguous)
  http_hints[status] = hint
  return hint
end

-- The private hint for something that is not a known code, and the
-- message.
local function other_hint(code)
  local valid, err = to_code(code)
  if valid then return UNKNOWN, "unknown code: " .. floor(valid) end
  return INVALID, err
end

--- class, reason of a code: "ok" | "transient" | "fatal", and the reason.
-- Unknown codes are "fatal", "unknown"; anything that is not a code is
-- "fatal", "invalid"; both with a message as third value. Never raises.
-- @param code a code: number or decimal string
-- @treturn string "ok", "transient" or "fatal"
-- @treturn string the reason
-- @treturn[opt] string a message, for an unknown code or bad input
function _M.classify(code)
  local hint = hint_of[code] or row_hint(code)
  if hint then return hint.class, hint.reason end
  local other, err = other_hint(code)
  return other.class, other.reason, err
end

--- The hint for a code (shared by the codes with the same answer). An
-- unknown code gives UNKNOWN; anything else nil and a message.
-- @param code a code: number or decimal string
-- @treturn table the hint
-- @return[2] nil
-- @treturn[2] string for what is not a code
function _M.of(code)
  local hint = hint_of[code] or row_hint(code)
  if hint then return hint[PUBLIC] or public(hint) end
  local other, err = other_hint(code)
  if other == INVALID then return nil, err end
  return other[PUBLIC]
end

-- The fields a decision reads from a table imerr did not make (a
-- rest.check error table, a caller's own hint), checked and copied: nil
-- when any is unusable. Read raw, so no metamethod runs.
local function checked(t)
  local class, action = rawget(t, "class"), rawget(t, "action")
  local min_delay, reason = rawget(t, "min_delay"), rawget(t, "reason")
  local ambiguous = rawget(t, "ambiguous")
  if not CLASSES[class] or type(action) ~= "string" or
    type(min_delay) ~= "number" or not (min_delay >= 0 and min_delay <= 3600)
  then
    return nil
  end
  return { class = class, action = action, min_delay = min_delay,
    reason = type(reason) == "string" and reason or nil,
    ambiguous = ambiguous == true }
end

-- The private hint a decision reads for a value given in place of a
-- code: a known code, imerr's own hint (its private table, whatever a
-- caller wrote into the public one), or any other table with usable
-- class (ok, transient, fatal), action (a string) and min_delay (seconds
-- in [0, 3600]), of which a checked copy (ambiguous only when it is
-- true); else nil. For imerr's own modules only: callers get public
-- copies.
local function resolve(value)
  local hint = hint_of[value]
  if hint then return hint end
  if type(value) ~= "table" then return row_hint(value) end
  return private_of[value] or checked(value)
end
_M.resolve = resolve

return _M
