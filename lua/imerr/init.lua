--- imerr: Tencent Cloud IM error codes.
-- The C table's columns are copied into Lua arrays at require time;
-- a row table is made the first time its code is looked up (in Lua, so
-- that LuaJIT compiles that too), and kept. Lookups of known codes are
-- table indexes; only unusual input reaches the C core. Rows, hints and
-- reasons are read-only views (imerr._private): a caller cannot change
-- what imerr or anyone else in the process reads.
local core = require "imerr.core"
local private = require "imerr._private"

local type, tostring, floor = type, tostring, math.floor
local byte, find, next = string.byte, string.find, next
local view, private_of = private.view, private.private

local _M = { _VERSION = core._VERSION }

-- The loops below run once per require and call C: LuaJIT would only try
-- to compile them, and fail. (This chunk only: its functions still are.)
local jit = rawget(_G, "jit")
if type(jit) == "table" and jit.off then jit.off(true, false) end

local CODE_MIN, CODE_MAX = core.CODE_MIN, core.CODE_MAX

-- LuaJIT's table.new presizes the hash part. Tables keyed by code must
-- never get an array part (code 0 would start one): with it, LuaJIT
-- cannot compile lookups of negative codes.
local has_new, new_tab = pcall(require, "table.new")
if not has_new then new_tab = function() return {} end end

local n = core.count()
-- Columns, by row number (ascending code order).
local codes, names, messages, parts, sections, officials =
  new_tab(n, 0), new_tab(n, 0), new_tab(n, 0), new_tab(n, 0),
  new_tab(n, 0), new_tab(n, 0)
local lasts = {}                  -- row number -> last code, ranges only
local ranges = {}                 -- row numbers of ranges
local index_of = new_tab(0, n)    -- code (number) -> row number
local by_name = new_tab(0, n)     -- name -> row number
local hint_of = new_tab(0, n)     -- code (number) -> private hint
private.hint_by_code = hint_of
local hint_view = private.hint_view  -- private hint -> its view
-- canonical decimal string ("70001") -> row number, filled by lookups
local by_text = {}
-- code (number) -> row view, filled by lookups
local by_key = new_tab(0, n)

-- Codes with the same answer share one hint: reason -> action ->
-- min_delay -> private hint.
local hints = {}
local function shared_hint(class, reason, action, min_delay, http_status,
  severity)
  local by_action = hints[reason] or {}
  local by_delay = by_action[action] or {}
  local hint = by_delay[min_delay]
  if not hint then
    hint = { class = class, reason = reason, action = action,
      min_delay = min_delay, http_status = http_status, severity = severity }
    hints[reason], by_action[action], by_delay[min_delay] =
      by_action, by_delay, hint
    hint_view[hint] = view(hint)
  end
  return hint
end

for i = 1, n do
  local code, last, name, official, part, section, message, class, reason,
    action, severity, min_delay, http_status = core.at(i)
  codes[i], names[i], messages[i], parts[i], sections[i], officials[i] =
    code, name, message, part, section, official
  if last ~= code then lasts[i], ranges[#ranges + 1] = last, i end
  index_of[code], by_name[name] = i, i
  hint_of[code] = shared_hint(class, reason, action, min_delay, http_status,
    severity)
end

_M.count = n

-- The view of row i, made on first use.
local function row_at(i)
  local code = codes[i]
  local row = by_key[code]
  if row then return row end
  row = view { code = code, last = lasts[i] or code, name = names[i],
    official = officials[i], part = parts[i], section = sections[i],
    message = messages[i], hint = hint_view[hint_of[code]] }
  by_key[code] = row
  return row
end

--- A read-only index from a code (number) to its row, as lookup gives
-- it; it holds neither the range's inner codes nor strings (use lookup
-- for those). Kept for code written against earlier versions: lookup is
-- as fast.
_M.index = private.lookup_view(function(code)
  local i = index_of[code]
  if i then return row_at(i) end
end)

--- A read-only index from a code (number) to its row's hint.
_M.hint_index = private.lookup_view(function(code)
  return hint_view[hint_of[code]]
end)

--- What each reason means: reason -> {name, meaning, class, http_status,
-- severity}, and the same in documented order in reasons_list. All
-- read-only.
local reasons, reasons_list = private.reasons, {}
local reason_views = {}
for i = 1, math.huge do
  local name, meaning, class, http_status, severity = core.reason_at(i)
  if not name then break end
  local reason = { name = name, meaning = meaning, class = class,
    http_status = http_status, severity = severity }
  reasons[name], reasons_list[i] = reason, view(reason)
  reason_views[name] = reasons_list[i]
end
_M.reasons, _M.reasons_list = view(reason_views), view(reasons_list)

--- A plain, writable deep copy of a table imerr shares (a row, a hint, a
-- reason, imerr.reasons, imerr.reasons_list), e.g. to iterate it with
-- pairs on Lua 5.1 and LuaJIT; or nil and a message for anything else.
local function copy(value)
  local t = private_of(value)
  if not t then return nil, "not a table imerr shares: " .. type(value) end
  local out = {}
  for k, v in next, t do out[k] = private_of(v) and copy(v) or v end
  return out
end
_M.copy = copy

local function range_row(code)
  for k = 1, #ranges do
    local i = ranges[k]
    if code >= codes[i] and code <= lasts[i] then return row_at(i) end
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

-- Slow path of lookup: a known code's first lookup, strings seen before,
-- then validation, then the ranges.
local function lookup_slow(value)
  local i = index_of[value] or by_text[value]
  if i then return row_at(i) end
  local code, err = to_code(value)
  if not code then return nil, err end
  i = index_of[code]
  if i then
    -- Only the canonical spelling is kept: at most one string a row. (Its
    -- first byte is '-' or 1-9: most other spellings stop there.)
    local first = type(value) == "string" and byte(value, 1)
    if first and (first == 45 or first >= 49 and first <= 57) and
      find(value, "^%-?[1-9]%d*$") or value == "0" then
      by_text[value] = i
    end
    return row_at(i)
  end
  local row = range_row(code)
  if row then return row end
  return nil, "unknown code: " .. tostring(floor(code))
end

--- The row for a code: a read-only table with code, last, name,
-- official, part, section, message and hint (what to do about it: class,
-- reason, action, min_delay, http_status, severity); or nil and a
-- message. The same table every time, shared by every caller.
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
  local i = index_of[code]
  if i then return names[i] end
  return slow_field(code, "name")
end

--- The error-code page's text for a code, or nil and a message.
function _M.message(code)
  local i = index_of[code]
  if i then return messages[i] end
  return slow_field(code, "message")
end

--- The code for a constant name (exact, e.g. "ERR_SDK_NOT_INITIALIZED"),
-- or nil and a message. A range's name gives its first code.
function _M.code(name)
  local i = by_name[name]
  if i then return codes[i] end
  if type(name) ~= "string" then
    return nil, "invalid name: expected a string, got " .. type(name)
  end
  return nil, ("unknown name: %q"):format(#name > 60 and name:sub(1, 60) ..
    "..." or name)
end

--- The row for a name, or nil and a message.
function _M.lookup_name(name)
  local i = by_name[name]
  if i then return row_at(i) end
  local _, err = _M.code(name)
  return nil, err
end

--- Iterates over all rows in ascending code order: for code, row in ...
function _M.entries()
  local i = 0
  return function()
    i = i + 1
    if i <= n then return codes[i], row_at(i) end
  end
end

--- imerr.matcher(spec): a predicate over codes (see imerr.matcher). A
-- convenience: imerr.matcher sits above imerr and is loaded on the first
-- call, never by require "imerr".
function _M.matcher(spec)
  return require("imerr.matcher").new(spec)
end

return _M
