--- imerr: Tencent Cloud IM error codes.
-- At require time, the C table's codes and hints are copied into Lua
-- tables; its texts follow on the first name, message or row a state
-- reads; a row table is made the first time its code is looked up (in
-- Lua, so that LuaJIT compiles that too), and kept. Lookups of known
-- codes are table indexes; only unusual input reaches the C core. Rows,
-- hints and reasons are read-only views (imerr._private): a caller cannot
-- change what imerr or anyone else in the process reads.
-- @module imerr
local core = require "imerr.core"
local private = require "imerr._private"

local type, tostring, floor = type, tostring, math.floor
local byte, find, next = string.byte, string.find, next
local view, private_of = private.view, private.private

local _M = { _VERSION = core._VERSION }

--- The version of imerr, as "1.0.0" (that of the C core).
-- @field _VERSION

-- The loops below run once per require: LuaJIT would only spend time
-- compiling them. (This chunk only: jit.off(true), without a second
-- argument; its functions are still compiled.)
local jit = rawget(_G, "jit")
if type(jit) == "table" and jit.off then jit.off(true) end

local CODE_MIN, CODE_MAX = core.CODE_MIN, core.CODE_MAX

-- LuaJIT's table.new presizes the hash part. Tables keyed by code must
-- never get an array part (code 0 would start one): with it, LuaJIT
-- cannot compile lookups of negative codes.
local has_new, new_tab = pcall(require, "table.new")
if not has_new then new_tab = core.new_table end

local n = core.count()
-- Columns by row number (ascending code order), each made by the core in
-- one call at its final size. core.column(k) gives the k-th value of
-- core.at: 1 code, 2 last, 3 name, 4 official, 5 part, 6 section,
-- 7 message, 8 class, 9 reason, 10 action, 11 severity, 12 min_delay,
-- 13 http_status, 14 source, 15 change, 16 ambiguous.
local column = core.column
local codes = column(1)
-- Loaded on the first need of any of them (load_columns): names and
-- messages by row number; row number -> {part, section, official,
-- source}, shared by the rows that have the same four (a few dozen tables
-- for all rows); row number -> change, where there is one.
local names, messages, groups, changes
local lasts = {}                  -- row number -> last code, ranges only
local ranges = {}                 -- row numbers of ranges
local index_of = new_tab(0, n)    -- code (number) -> row number
local hint_of = new_tab(0, n)     -- code (number) -> private hint
private.hint_by_code = hint_of
local VIEW = private.VIEW         -- private hint -> its view
-- name -> row number and canonical decimal string ("70001") -> row
-- view, filled by lookups
local by_name, by_text = {}, {}
-- code (number) -> row view, filled by lookups: presized under LuaJIT
-- only (see above); elsewhere it grows with the rows looked up.
local by_key = has_new and new_tab(0, n) or {}

-- What each reason means: reason -> {name, meaning, class, http_status,
-- severity, ambiguous}, and the same in documented order in reasons_list.
-- All read-only.
local reasons, reasons_list = private.reasons, {}
local reason_views = {}
for i = 1, math.huge do
  local name, meaning, class, http_status, severity, ambiguous =
    core.reason_at(i)
  if not name then break end
  local reason = { name = name, meaning = meaning, class = class,
    http_status = http_status, severity = severity, ambiguous = ambiguous }
  reasons[name], reasons_list[i] = reason, view(reason)
  reason_views[name] = reasons_list[i]
end
--- What each reason means: reason -> {name, meaning, class, http_status,
-- severity, ambiguous} (data/reasons.tsv). Read-only.
-- @table reasons

--- The same entries as reasons, as a list in documented order.
-- Read-only.
-- @table reasons_list
_M.reasons, _M.reasons_list = view(reason_views), view(reasons_list, false,
  true)

do
  local last, reason, action, min_delay = column(2), column(9), column(10),
    column(12)
  -- Whether a failure may have been carried out: the reason's default, or
  -- the code's own (data/ambiguous.tsv), as the generator settled it.
  local ambiguous = column(16)
  -- Codes with the same answer (reason, action, min_delay, ambiguous)
  -- share a hint: found by nesting tables, which costs less than a key
  -- string. A hint says whether the failure is ambiguous: the request may
  -- have been carried out.
  local hints = {}
  -- The previous row's answer: neighbouring codes often share one, and
  -- the check saves the nested lookups (require time).
  local pr, pa, pd, pamb, hint
  for i = 1, n do
    local code = codes[i]
    index_of[code] = i
    if last[i] ~= code then lasts[i], ranges[#ranges + 1] = last[i], i end
    local r, a, d = reason[i], action[i], min_delay[i]
    local amb = ambiguous[i]
    if r ~= pr or a ~= pa or d ~= pd or amb ~= pamb then
      pr, pa, pd, pamb = r, a, d, amb
      local t = hints[r]
      if not t then t = {}; hints[r] = t end
      local u = t[a]
      if not u then u = {}; t[a] = u end
      t = u[d]
      if not t then t = {}; u[d] = t end
      hint = t[amb]
      if not hint then
        -- class, http_status and severity follow from the reason.
        local of = reasons[r]
        hint = { class = of.class, reason = r, action = a, min_delay = d,
          http_status = of.http_status, severity = of.severity,
          ambiguous = amb }
        t[amb] = hint
        view(hint, true)
      end
    end
    hint_of[code] = hint
  end
end

-- The first codes of the ranges, in ascending order, for modules that
-- want the ranges without making every row (imerr.callback).
private.range_codes = {}
for k, i in ipairs(ranges) do private.range_codes[k] = codes[i] end

-- The columns of texts, once per state, when the first name, message or
-- row is asked for: require does not pay for what a state may never
-- read (retry.classify needs none of it). Rows that share part, section,
-- official and source share a group.
local function load_columns()
  local official, part, section = column(4), column(5), column(6)
  local source = column(14)
  local by_group = {}
  names, messages = column(3), column(7)
  groups, changes = new_tab(n, 0), column(15)
  for i = 1, n do
    local p, s, o = part[i], section[i], official[i]
    local t = by_group[p] or {}
    by_group[p] = t
    t[s] = t[s] or {}
    t = t[s]
    t[o] = t[o] or {}
    t = t[o]
    local group = t[source[i]]
    if not group then
      group = { part = p, section = s, official = o, source = source[i] }
      t[source[i]] = group
    end
    groups[i] = group
  end
end

--- Number of rows in the table (a range is one row).
_M.count = n

-- The view of row i, made on first use, in Lua, so that LuaJIT compiles
-- it (only the first text a state reads calls the core: load_columns).
local function row_at(i)
  local code = codes[i]
  local row = by_key[code]
  if row then return row end
  if not groups then load_columns() end
  local group = groups[i]
  row = view { code = code, last = lasts[i] or code, name = names[i],
    official = group.official, part = group.part, section = group.section,
    message = messages[i], source = group.source, change = changes[i],
    hint = hint_of[code][VIEW] }
  by_key[code] = row
  return row
end

--- A read-only index from a code (number) to its row, as lookup gives
-- it; it holds neither the range's inner codes nor strings (use lookup
-- for those). Kept for code written against earlier versions: lookup is
-- as fast.
-- @table index
_M.index = private.lookup_view(function(code)
  local i = index_of[code]
  if i then return row_at(i) end
end)

--- A read-only index from a code (number) to its row's hint.
-- @table hint_index
_M.hint_index = private.lookup_view(function(code)
  local hint = hint_of[code]
  return hint and hint[VIEW]
end)

--- A plain, writable deep copy of a table imerr shares (a row, a hint, a
-- reason, imerr.reasons, imerr.reasons_list), to iterate it with pairs
-- on Lua 5.1 and LuaJIT, say; or nil and a message for anything else.
-- @function copy
-- @tparam table value a row, a hint, a reason, reasons or reasons_list
-- @treturn table the copy
-- @return[2] nil
-- @treturn[2] string for any other value
local function copy(value)
  local t = private_of(value)
  if not t then return nil, "not a table imerr shares: " .. type(value) end
  local out = {}
  for k, v in next, t do
    if k ~= VIEW then out[k] = private_of(v) and copy(v) or v end
  end
  return out
end
_M.copy = copy

-- The row number of the range holding code, or nil: a chain of
-- comparisons generated from the ranges (numbers only), which LuaJIT
-- compiles as straight code where a loop over them would abort traces.
local range_index
do
  local src, widest = { "local code = ...\n" }, {}
  for k, i in ipairs(ranges) do widest[k] = i end
  -- Widest first: most codes in ranges are found by the first test.
  table.sort(widest, function(a, b)
    return lasts[a] - codes[a] > lasts[b] - codes[b]
  end)
  for _, i in ipairs(widest) do
    src[#src + 1] = ("if code >= %d and code <= %d then return %d end\n")
      :format(codes[i], lasts[i], i)
  end
  range_index = assert((rawget(_G, "loadstring") or load)(table.concat(src),
    "=imerr ranges"))
end

local function range_row(code)
  local i = range_index(code)
  if i then return row_at(i) end
end

--- Turns any accepted form of a code into an integral number, or nil and
-- why not. Accepted: integers, integral floats, decimal strings. Unknown
-- codes pass: only the form is checked.
-- @function to_code
-- @param value a number or a string
-- @treturn number the code
-- @return[2] nil
-- @treturn[2] string why value is no code
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
    local shown = private.quote(value, 40)
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
  local row = by_text[value]
  if row then return row end
  local i = index_of[value]
  if i then return row_at(i) end
  local code, err = to_code(value)
  if not code then return nil, err end
  i = index_of[code]
  if i then
    row = row_at(i)
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

--- The row for a code: a read-only table with code, last, name,
-- official, part, section, message, source, change (nil unless Tencent
-- changed the meaning since the source) and hint (what to do about it:
-- class, reason, action, min_delay, http_status, severity, ambiguous); or
-- nil and a message. The same table every time, shared by every caller.
-- @param code a code: number or decimal string
-- @treturn table the row
-- @return[2] nil
-- @treturn[2] string for an unknown code or bad input
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
-- @param code a code: number or decimal string
-- @treturn string the name, e.g. "ERR_SDK_NOT_INITIALIZED"
-- @return[2] nil
-- @treturn[2] string for an unknown code or bad input
function _M.name(code)
  local i = index_of[code]
  if i then
    if not names then load_columns() end
    return names[i]
  end
  return slow_field(code, "name")
end

--- The error-code page's text for a code, or nil and a message.
-- @param code a code: number or decimal string
-- @treturn string the text
-- @return[2] nil
-- @treturn[2] string for an unknown code or bad input
function _M.message(code)
  local i = index_of[code]
  if i then
    if not messages then load_columns() end
    return messages[i]
  end
  return slow_field(code, "message")
end

-- The row number of a name, or nil and a message. The C core searches
-- a name the first time; known names are remembered.
local function name_index(name)
  local i = by_name[name]
  if i then return i end
  if type(name) ~= "string" then
    return nil, "invalid name: expected a string, got " .. type(name)
  end
  i = core.find_name(name)
  if i then
    by_name[name] = i
    return i
  end
  return nil, "unknown name: " .. private.quote(name, 60)
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
-- (each row is made as it comes, about 0.7 KB each, and kept).
-- @return an iterator of code, row
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
-- @tparam table spec as imerr.matcher.new takes it
-- @treturn function predicate(code) -> boolean
-- @return[2] nil
-- @treturn[2] string what is wrong with spec
function _M.matcher(spec)
  return require("imerr.matcher").new(spec)
end

return _M
