--- imerr: Tencent Cloud IM error codes.
-- Every row of the C table is copied into plain Lua tables at require
-- time, so lookups of known codes are table indexes (and stay inside
-- LuaJIT traces); only unusual input reaches the C core.
local core = require "imerr.core"

local type, tostring, floor = type, tostring, math.floor
local byte, find = string.byte, string.find

local _M = { _VERSION = core._VERSION }

local CODE_MIN, CODE_MAX = core.CODE_MIN, core.CODE_MAX

-- LuaJIT's table.new presizes the hash part. by_key must never get an
-- array part (code 0 would start one): with it, LuaJIT cannot compile
-- lookups of negative codes.
local has_new, new_tab = pcall(require, "table.new")
if not has_new then new_tab = function() return {} end end

local list = {}    -- rows in ascending code order
-- reason -> action -> min_delay -> ambiguous -> shared hint table
local hints = {}
local by_key = new_tab(0, core.count()) -- code (number) -> row
-- canonical decimal string ("70001") -> row, filled by first lookups
local by_text = {}
-- code (number) -> the row's hint
local hint_by_code = new_tab(0, core.count())
local by_name = {} -- name -> row
local ranges = {}  -- rows that cover more than one code

--- What each reason means: reason -> {name, meaning, class, http_status,
-- severity, ambiguous}, and the same tables in documented order in
-- reasons_list.
_M.reasons, _M.reasons_list = {}, {}
for i = 1, math.huge do
  local name, meaning, class, http_status, severity, ambiguous =
    core.reason_at(i)
  if not name then break end
  local reason = { name = name, meaning = meaning, class = class,
    http_status = http_status, severity = severity, ambiguous = ambiguous }
  _M.reasons[name], _M.reasons_list[i] = reason, reason
end

-- Codes whose text overrides their reason's ambiguous default.
local ambiguous_codes = require("imerr.apis").ambiguous

for i = 1, core.count() do
  local code, last, name, official, part, section, message, class, reason,
    action, severity, min_delay, http_status = core.at(i)
  -- Codes with the same answer share one hint table, which keeps each
  -- row at eight fields. A hint says whether the failure is ambiguous:
  -- the request may have been carried out.
  local ambiguous = ambiguous_codes[code]
  if ambiguous == nil then ambiguous = _M.reasons[reason].ambiguous end
  local by_action = hints[reason] or {}
  local by_delay = by_action[action] or {}
  local by_ambiguous = by_delay[min_delay] or {}
  local hint = by_ambiguous[ambiguous]
  if not hint then
    hint = { class = class, reason = reason, action = action,
      min_delay = min_delay, http_status = http_status, severity = severity,
      ambiguous = ambiguous }
    hints[reason], by_action[action], by_delay[min_delay] =
      by_action, by_delay, by_ambiguous
    by_ambiguous[ambiguous] = hint
  end
  local row = {
    code = code, last = last, name = name, official = official,
    part = part, section = section, message = message, hint = hint,
  }
  list[i] = row
  by_key[code] = row
  hint_by_code[code] = hint
  by_name[name] = row
  if last ~= code then ranges[#ranges + 1] = row end
end

_M.count = #list

--- The index behind lookup: a code (number) -> row. For modules that
-- want lookup's fast path inlined; shared and read-only, it holds neither
-- the range's inner codes nor strings (use lookup for those).
_M.index = by_key

--- A code (number) -> its row's hint: one index from a code to what to
-- do about it. Shared and read-only.
_M.hint_index = hint_by_code


local function range_row(code)
  for i = 1, #ranges do
    local row = ranges[i]
    if code >= row.code and code <= row.last then return row end
  end
end

-- Turns any accepted form of a code into an integral number, or nil and
-- why not. Accepted: integers, integral floats, decimal strings.
local function to_code(value)
  local t = type(value)
  if t == "number" then
    if value ~= value then return nil, "invalid code: NaN" end
    if value < CODE_MIN or value > CODE_MAX then
      return nil, "invalid code: " .. tostring(value) ..
        " is outside the 32-bit range"
    end
    if value ~= floor(value) then
      return nil, "invalid code: " .. tostring(value) .. " is not an integer"
    end
    return value
  elseif t == "string" then
    local code, why = core.parse(value)
    if code then return code end
    local shown = #value > 40 and ("%q..."):format(value:sub(1, 40)) or
      ("%q"):format(value)
    shown = shown:gsub("\\\n", "\\n")
    if why == "range" then
      return nil, "invalid code: " .. shown .. " is outside the 32-bit range"
    end
    return nil, "invalid code: " .. shown .. " is not a decimal integer"
  end
  return nil, "invalid code: expected a number or a string, got " .. t
end
_M.to_code = to_code

-- Slow path of lookup: strings seen before, then validation, then the
-- ranges.
local function lookup_slow(value)
  local row = by_text[value]
  if row then return row end
  local code, err = to_code(value)
  if not code then return nil, err end
  row = by_key[code]
  if row then
    -- Only the canonical spelling is kept: at most one string a row. (Its
    -- first byte is '-' or 1-9: most other spellings stop there.)
    local first = type(value) == "string" and byte(value, 1)
    if first and (first == 45 or first >= 49 and first <= 57) and
      find(value, "^%-?[1-9]%d*$") or value == "0" then
      by_text[value] = row
    end
    return row
  end
  row = range_row(code)
  if row then return row end
  return nil, "unknown code: " .. tostring(floor(code))
end

--- The row for a code: a table with code, last, name, official, part,
-- section, message and hint (what to do about it: class, reason, action,
-- min_delay, http_status, severity, ambiguous); or nil and a message.
-- Rows and hints are shared: treat them as read-only.
function _M.lookup(code)
  local row = by_key[code]
  if row then return row end
  return lookup_slow(code)
end

-- One field of the row of an unusual code (lookup's slow path).
local function slow_field(code, key)
  local row, err = lookup_slow(code)
  if row then return row[key] end
  return nil, err
end

--- The constant name of a code, or nil and a message.
function _M.name(code)
  local row = by_key[code]
  if row then return row.name end
  return slow_field(code, "name")
end

--- The error-code page's text for a code, or nil and a message.
function _M.message(code)
  local row = by_key[code]
  if row then return row.message end
  return slow_field(code, "message")
end

--- The code for a constant name (exact, e.g. "ERR_SDK_NOT_INITIALIZED"),
-- or nil and a message. A range's name gives its first code.
function _M.code(name)
  local row = by_name[name]
  if row then return row.code end
  if type(name) ~= "string" then
    return nil, "invalid name: expected a string, got " .. type(name)
  end
  return nil, ("unknown name: %q"):format(#name > 60 and name:sub(1, 60) ..
    "..." or name)
end

--- The row for a name, or nil and a message.
function _M.lookup_name(name)
  local row = by_name[name]
  if row then return row end
  local _, err = _M.code(name)
  return nil, err
end

--- Iterates over all rows in ascending code order: for code, row in ...
function _M.entries()
  local i = 0
  return function()
    i = i + 1
    local row = list[i]
    if row then return row.code, row end
  end
end

--- imerr.matcher(spec): a predicate over codes (see imerr.matcher).
function _M.matcher(spec)
  return require("imerr.matcher").new(spec)
end

return _M
