--- imerr: Tencent Cloud IM error codes.
-- The C core makes the tables imerr reads (imerr._rows) at require; the
-- texts follow on the first name, message or row a state reads; a row is
-- made the first time its code is looked up (in Lua, so that LuaJIT
-- compiles that too), and kept. Lookups of known codes are table indexes.
--
-- Rows, hints and reasons are plain tables (pairs, #, ipairs and JSON
-- encoders see every field), shared by every caller in the process: treat
-- them as read-only, or take your own with imerr.copy. What imerr decides
-- never reads them: a caller who writes into one changes no decision.
-- @module imerr
local rows = require "imerr._rows"

local type, next, rawget, rawequal = type, next, rawget, rawequal

local _M = { _VERSION = rows.VERSION }

--- The version of imerr, as "1.0.0" (that of the C core).
-- @field _VERSION

local n, codes, index_of = rows.count, rows.codes, rows.index
local hint_of, lasts, PUBLIC = rows.hints, rows.lasts, rows.PUBLIC
local private_of, row_of, public = rows.private_of, rows.row, rows.public
-- The texts, by row number, loaded on the first need of any of them.
local names, messages, groups, changes
-- name -> row number, filled by lookups.
local by_name = {}
-- code (number) -> row, filled by lookups. LuaJIT's table.new presizes
-- it: a table keyed by code must never get an array part (code 0 would
-- start one), with which LuaJIT cannot compile lookups of negative codes.
local by_key = {}
if rawget(_G, "jit") then
  local has_new, new_tab = pcall(require, "table.new")
  if has_new then by_key = new_tab(0, n) end
end

--- What each reason means: reason -> {name, meaning, class, http_status,
-- severity, ambiguous} (data/reasons.tsv).
-- @table reasons

--- The same entries as reasons, as a list in documented order.
-- @table reasons_list
_M.reasons, _M.reasons_list = rows.public_reasons()

--- Number of rows in the table (a range is one row).
_M.count = n

local function load_texts()
  local t = rows.texts()
  names, messages, groups, changes = t.names, t.messages, t.groups, t.changes
end

-- Row i, made on first use, in Lua, so that LuaJIT compiles it (only the
-- first text a state reads calls the core).
local function row_at(i)
  local code = codes[i]
  local row = by_key[code]
  if row then return row end
  if not groups then load_texts() end
  local group, hint = groups[i], hint_of[code]
  row = { code = code, last = lasts[i] or code, name = names[i],
    official = group.official, part = group.part, section = group.section,
    message = messages[i], source = group.source, change = changes[i],
    hint = hint[PUBLIC] or public(hint) }
  by_key[code] = row
  return row
end

-- Whether t is a table imerr hands out: a row, a hint, a reason, reasons
-- or reasons_list.
-- (Compared raw: a caller's table may have an __eq that raises.)
local function shared(t)
  if type(t) ~= "table" then return false end
  if private_of[t] or rawequal(t, _M.reasons) or
    rawequal(t, _M.reasons_list) then
    return true
  end
  local code, name = rawget(t, "code"), rawget(t, "name")
  return code ~= nil and rawequal(by_key[code], t) or
    name ~= nil and rawequal(_M.reasons[name], t)
end

local function copy_of(t, seen)
  local out = {}
  seen[t] = out
  for k, v in next, t do
    if shared(v) then v = seen[v] or copy_of(v, seen) end
    out[k] = v
  end
  return out
end

--- A writable deep copy of a table imerr shares (a row, a hint, a reason,
-- imerr.reasons, imerr.reasons_list), or nil and a message for anything
-- else.
-- @function copy
-- @tparam table value a row, a hint, a reason, reasons or reasons_list
-- @treturn table the copy
-- @return[2] nil
-- @treturn[2] string for any other value
function _M.copy(value)
  if not shared(value) then
    return nil, "not a table imerr shares: " .. type(value)
  end
  return copy_of(value, {})
end

--- Turns any accepted form of a code into an integral number, or nil and
-- why not. Accepted: integers, integral floats, decimal strings. Unknown
-- codes pass: only the form is checked.
-- @function to_code
-- @param value a number or a string
-- @treturn number the code
-- @return[2] nil
-- @treturn[2] string why value is no code
_M.to_code = rows.to_code

-- canonical decimal string ("70001") -> row, filled by lookups.
local by_text = {}

-- Slow path of lookup: a known code's first lookup, strings, ranges.
local function lookup_slow(value)
  local row = by_text[value]
  if row then return row end
  local i, canonical = row_of(value)
  if not i then return nil, canonical end -- the message
  row = row_at(i)
  if canonical == true then by_text[value] = row end
  return row
end

--- The row for a code: a table with code, last, name, official, part,
-- section, message, source, change (nil unless Tencent changed the
-- meaning since the source) and hint (what to do about it: class,
-- reason, action, min_delay, http_status, severity, ambiguous); or nil
-- and a message. The same table every time, shared by every caller.
-- @param code a code: number or decimal string
-- @treturn table the row
-- @return[2] nil
-- @treturn[2] string for an unknown code or bad input
function _M.lookup(code)
  local row = by_key[code]
  if row then return row end
  return lookup_slow(code)
end

-- The row number of what is not a number of the table, the texts loaded.
local function slow_row(code)
  local i, err = row_of(code)
  if i and not names then load_texts() end
  return i, err
end

--- The constant name of a code, or nil and a message.
-- @param code a code: number or decimal string
-- @treturn string the name, e.g. "ERR_SDK_NOT_INITIALIZED"
-- @return[2] nil
-- @treturn[2] string for an unknown code or bad input
function _M.name(code)
  local i = index_of[code]
  if i then
    if not names then load_texts() end
    return names[i]
  end
  local err
  i, err = slow_row(code)
  if i then return names[i] end
  return nil, err
end

--- The error-code page's text for a code, or nil and a message.
-- @param code a code: number or decimal string
-- @treturn string the text
-- @return[2] nil
-- @treturn[2] string for an unknown code or bad input
function _M.message(code)
  local i = index_of[code]
  if i then
    if not messages then load_texts() end
    return messages[i]
  end
  local err
  i, err = slow_row(code)
  if i then return messages[i] end
  return nil, err
end

-- The row number of a name, or nil and a message. The C core searches
-- a name the first time; known names are remembered.
local function name_index(name)
  local i = by_name[name]
  if i then return i end
  if type(name) ~= "string" then
    return nil, "invalid name: expected a string, got " .. type(name)
  end
  i = rows.find_name(name)
  if i then
    by_name[name] = i
    return i
  end
  return nil, "unknown name: " .. require("imerr._private").quote(name, 60)
end

--- The code for a constant name (exact: "ERR_SDK_NOT_INITIALIZED"),
-- or nil and a message. A range's name gives its first code.
-- @string name the constant name
-- @treturn number the code
-- @return[2] nil
-- @treturn[2] string for an unknown name or a non-string
function _M.code(name)
  local i, err = name_index(name)
  if i then return codes[i] end
  return nil, err
end

--- The row for a name, or nil and a message.
-- @string name the constant name
-- @treturn table the row, as lookup gives it
-- @return[2] nil
-- @treturn[2] string for an unknown name or a non-string
function _M.lookup_name(name)
  local i, err = name_index(name)
  if i then return row_at(i) end
  return nil, err
end

--- Iterates over all rows in ascending code order: for code, row in ...
-- (each row is made as it comes, and kept).
-- @return an iterator of code, row
function _M.entries()
  local i = 0
  return function()
    i = i + 1
    if i <= n then return codes[i], row_at(i) end
  end
end

--- imerr.matcher(spec) -> predicate(code) -> boolean, or nil and a
-- message. spec maps fields (code, name, official, part, section, class,
-- reason, action, severity, http_status) to a value or a list of values;
-- a value no code has is refused (a misspelt rule would never fire). The
-- predicate is false for anything that is not a code. (imerr._matcher,
-- loaded on the first call, never by require "imerr".)
-- @tparam table spec field -> value or list of values
-- @treturn function predicate(code) -> boolean
-- @return[2] nil
-- @treturn[2] string what is wrong with spec
function _M.matcher(spec)
  return require("imerr._matcher").new(spec)
end

return _M
