-- Lua data (tables of strings, numbers, booleans and tables) as static
-- const C arrays, which imerr.core turns back into Lua tables, each at its
-- final size (src/imerr_lua.c, push_data). Nothing about the data's shape
-- is written here or in C: a generator adds fields by adding them to its
-- Lua values.
--
-- A value is one unsigned int, (index << 3) | kind; kinds 0 false, 1 true,
-- 2 integer (PREFIX_ints[index]), 3 other number (PREFIX_numbers: also
-- the infinities, as HUGE_VAL; NaN is refused), 4 string
-- (PREFIX_strings), 5 table (PREFIX_tables). A table is {first, narr,
-- nrec}: narr values from PREFIX_values[first], then nrec key, value pairs.
-- Equal strings, numbers and tables are stored once.
local _M = {}

local KIND = { ["false"] = 0, ["true"] = 1, int = 2, number = 3, string = 4,
  table = 5 }

-- Most levels of nested tables: the C side recurses once per level.
_M.MAX_DEPTH = 16
local MAX_INDEX = 2 ^ 29 - 1

-- A C string literal: printable ASCII as is, everything else as octal
-- escapes (three digits, so a following digit is never swallowed); '?'
-- is escaped so no trigraph can form.
function _M.c_string(s)
  local escaped = s:gsub('[\\"?]', "\\%0"):gsub("[^ -~]", function(c)
    return ("\\%03o"):format(c:byte())
  end)
  return '"' .. escaped .. '"'
end

-- Byte order, whatever the locale: the order strcmp gives.
function _M.before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = a:byte(i), b:byte(i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local function is_int(v)
  return v == math.floor(v) and v >= -2 ^ 53 and v <= 2 ^ 53
end

-- Keys in a fixed order: numbers first, by value, then strings by bytes.
local function key_order(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta == "number" end
  if ta == "number" then return a < b end
  return _M.before(a, b)
end

--- A new set of pools; pools:value(v) stores v and returns its encoding.
function _M.new()
  local pools = { ints = {}, numbers = {}, strings = {}, tables = {},
    values = {}, index = {} }

  -- The index of x in pool list, adding it once (seen: key -> index).
  local function intern(list, key, x)
    local seen = pools.index[list] or {}
    pools.index[list] = seen
    local i = seen[key]
    if not i then
      list[#list + 1] = x
      i = #list - 1
      assert(i <= MAX_INDEX, "too many values")
      seen[key] = i
    end
    return i
  end

  local function encode(v, depth)
    local t = type(v)
    if t == "boolean" then return v and KIND["true"] or KIND["false"] end
    if t == "number" then
      assert(v == v, "NaN in data")
      if v ~= math.huge and v ~= -math.huge and is_int(v) then
        return intern(pools.ints, v, v) * 8 + KIND.int
      end
      return intern(pools.numbers, v, v) * 8 + KIND.number
    end
    if t == "string" then
      assert(not v:find("\0", 1, true), "NUL in a string of data")
      return intern(pools.strings, v, v) * 8 + KIND.string
    end
    assert(t == "table", "cannot store a " .. t)
    assert(depth < _M.MAX_DEPTH, "data nested too deep")
    local n = #v
    local items, keys = {}, {}
    for i = 1, n do items[i] = encode(v[i], depth + 1) end
    for k in pairs(v) do
      local array = type(k) == "number" and k >= 1 and k <= n and k % 1 == 0
      if not array then
        assert(type(k) == "string" or type(k) == "number" and is_int(k),
          "keys must be strings or integers")
        keys[#keys + 1] = k
      end
    end
    table.sort(keys, key_order)
    for _, k in ipairs(keys) do
      items[#items + 1] = encode(k, depth + 1)
      items[#items + 1] = encode(v[k], depth + 1)
    end
    assert(n <= 65535 and #keys <= 65535, "table too large")
    local key = n .. ":" .. table.concat(items, ",")
    local seen = pools.index[pools.tables] or {}
    pools.index[pools.tables] = seen
    local i = seen[key]
    if not i then
      local first = #pools.values
      for _, x in ipairs(items) do pools.values[#pools.values + 1] = x end
      pools.tables[#pools.tables + 1] = { first, n, #keys }
      i = #pools.tables - 1
      assert(i <= MAX_INDEX, "too many tables")
      seen[key] = i
    end
    return i * 8 + KIND.table
  end

  function pools.value(_, v) return encode(v, 0) end
  return pools
end

--- The lines of a C array: decl (e.g. "static const int x[]"), then the
-- items, per_line a line (at least one item: C has no empty arrays).
local function c_array(decl, items, per_line)
  local out = { decl .. " = {" }
  if #items == 0 then items = { "0" } end
  local line = {}
  for i, item in ipairs(items) do
    line[#line + 1] = item
    if #line == per_line or i == #items then
      out[#out + 1] = "  " .. table.concat(line, ", ") .. ","
      line = {}
    end
  end
  out[#out + 1] = "};"
  return out
end
_M.c_array = c_array

--- The C text of the pools, its arrays named PREFIX_ints ... PREFIX_values;
-- the table type is imerr_data_table (src/imerr_lua.c defines it).
function _M.render(pools, prefix)
  local out = {}
  local function add(lines)
    for _, l in ipairs(lines) do out[#out + 1] = l end
  end
  local ints, numbers, strings, tables, values = {}, {}, {}, {}, {}
  for i, v in ipairs(pools.ints) do ints[i] = ("%dLL"):format(v) end
  for i, v in ipairs(pools.numbers) do
    -- C99's HUGE_VAL (math.h): %.17g would write "inf", which C lacks.
    if v == math.huge then numbers[i] = "HUGE_VAL"
    elseif v == -math.huge then numbers[i] = "-HUGE_VAL"
    else numbers[i] = ("%.17g"):format(v) end
  end
  for i, v in ipairs(pools.strings) do strings[i] = _M.c_string(v) end
  for i, t in ipairs(pools.tables) do
    tables[i] = ("{%d, %d, %d}"):format(t[1], t[2], t[3])
  end
  for i, v in ipairs(pools.values) do values[i] = ("%du"):format(v) end
  add(c_array(("static const long long %s_ints[]"):format(prefix), ints, 8))
  add(c_array(("static const double %s_numbers[]"):format(prefix), numbers,
    4))
  add(c_array(("static const char *const %s_strings[]"):format(prefix),
    strings, 1))
  add(c_array(("static const imerr_data_table %s_tables[]"):format(prefix),
    tables, 6))
  add(c_array(("static const unsigned %s_values[]"):format(prefix), values,
    10))
  return table.concat(out, "\n")
end

return _M
