--- imerr._json: the JSON imerr writes itself, so that answers and request
-- bodies need no JSON library: flat objects of strings, numbers and
-- booleans (answers to callbacks), and whole values (request bodies).
local type, tostring, tonumber, concat = type, tostring, tonumber, table.concat
local floor, ipairs = math.floor, ipairs
local byte = string.byte

local _M = {}

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n",
  ["\r"] = "\\r", ["\t"] = "\\t" }

local function escape(c)
  return ESCAPES[c] or ("\\u%04x"):format(c:byte())
end

local REPLACEMENT = "\239\191\189" -- U+FFFD

-- The length of the valid UTF-8 sequence at i of s, or nil (RFC 3629:
-- no overlong forms, no surrogates, nothing above U+10FFFF).
local function sequence(s, i)
  local c = byte(s, i)
  local n, lo, hi = 2, 0x80, 0xBF
  if c < 0xC2 or c > 0xF4 then return nil end
  if c >= 0xE0 and c <= 0xEF then
    n = 3
    if c == 0xE0 then lo = 0xA0 elseif c == 0xED then hi = 0x9F end
  elseif c >= 0xF0 then
    n = 4
    if c == 0xF0 then lo = 0x90 elseif c == 0xF4 then hi = 0x8F end
  end
  local c2 = byte(s, i + 1)
  if not c2 or c2 < lo or c2 > hi then return nil end
  for k = i + 2, i + n - 1 do
    local ck = byte(s, k)
    if not ck or ck < 0x80 or ck > 0xBF then return nil end
  end
  return n
end

--- s with every byte that is not part of valid UTF-8 replaced by U+FFFD.
-- Text that is plain ASCII comes back as it is, at the cost of one find.
function _M.utf8(s)
  if not s:find("[\128-\255]") then return s end
  local out, i, start, n = {}, 1, 1, #s
  while i <= n do
    if byte(s, i) < 0x80 then i = i + 1
    else
      local len = sequence(s, i)
      if len then i = i + len
      else
        out[#out + 1] = s:sub(start, i - 1)
        out[#out + 1] = REPLACEMENT
        i = i + 1
        start = i
      end
    end
  end
  out[#out + 1] = s:sub(start)
  return concat(out)
end

--- s cut to at most max bytes (max >= 3) on a UTF-8 character boundary,
-- "..." included when something was cut.
function _M.truncate(s, max)
  if #s <= max then return s end
  local i = max - 3 -- room for "..."
  if i < 0 then i = 0 end
  -- Back off continuation bytes, and the lead byte they belong to.
  while i > 0 and (byte(s, i + 1) or 0) >= 0x80 and
    (byte(s, i + 1) or 0) <= 0xBF do
    i = i - 1
  end
  return s:sub(1, i) .. "..."
end

--- Any text bounded for a message or an answer: cut first (bounded work,
-- one byte over max so that a cut shows), made UTF-8 (a bad byte becomes
-- three), then cut to max bytes on a character boundary.
function _M.clip(s, max)
  return _M.truncate(_M.utf8(s:sub(1, max + 1)), max)
end

--- A JSON string literal for s: control characters escaped, bytes that
-- are not valid UTF-8 replaced by U+FFFD (JSON text is UTF-8).
function _M.string(s)
  return '"' .. _M.utf8(s):gsub('[%c"\\]', escape) .. '"'
end

-- Lua 5.3+: the integer of an integral number in the 64-bit range (an
-- integer keeps all its digits, which a double past 2^53 may not).
local tointeger = math.tointeger

--- The JSON text of a number, or nil when it has none (NaN, infinities:
-- JSON has no such values, and "null" would say "no value" instead).
-- Integral numbers are written as integers whatever their size (never
-- 1.1529215046068e+18), others with the fewest digits that read back as
-- the same number.
function _M.number(v)
  if v ~= v or v == math.huge or v == -math.huge then return nil end
  if v == floor(v) then
    local int = tointeger and tointeger(v)
    if int then return ("%d"):format(int) end
    -- %.0f writes an integral double's exact digits in every Lua (%d
    -- refuses doubles past 2^63 in 5.3+); -0 is 0.
    return v == 0 and "0" or ("%.0f"):format(v)
  end
  for digits = 15, 16 do
    local s = ("%." .. digits .. "g"):format(v)
    if tonumber(s) == v then return s end
  end
  return ("%.17g"):format(v)
end

-- The JSON text of v, or nil and why not.
local function value(v, key)
  local t = type(v)
  if t == "string" then return _M.string(v) end
  if t == "number" then
    local s = _M.number(v)
    if s then return s end
    return nil, ("%s is %s: JSON has no such number"):format(key,
      tostring(v))
  end
  if t == "boolean" then return tostring(v) end
  if v == nil then return "null" end
  return nil, ("%s is a %s: not a JSON string, number or boolean"):format(
    key, t)
end

--- A JSON object of the given keys of t, in that order (nil -> null), or
-- nil and a message when a value has no JSON text of its own (NaN, an
-- infinity, a table, a function): never a null in its place.
function _M.object(t, keys)
  local parts = {}
  for i, key in ipairs(keys) do
    local text, err = value(t[key], key)
    if not text then return nil, err end
    parts[i] = _M.string(key) .. ":" .. text
  end
  return "{" .. concat(parts, ",") .. "}"
end

-- The encoder of whole values (rest.prepare: request bodies). ---------

local next, rawget, getmetatable, sort = next, rawget, getmetatable,
  table.sort
local rawlen = rawget(_G, "rawlen")
local loaded = package.loaded

-- Most levels of nested tables a body may have (as rest.check reads).
local MAX_DEPTH = 64

-- cjson's null and its markers of empty arrays, when cjson is loaded.
local function cjson_marks()
  local c = loaded["cjson.safe"] or loaded.cjson
  if type(c) ~= "table" then return nil end
  return c.null, c.array_mt, c.empty_array_mt
end

-- Keys in a fixed order: the same table gives the same text.
local function before(a, b) return a < b end

local encode_value
local HOLES = "is a list with holes or keys that are no index"

-- The length of t when it is a list (keys 1..n, nothing else), else nil;
-- whether it is empty; and why it is neither list nor object.
local function list_length(t)
  local count, strings = 0, 0
  for k in next, t do
    count = count + 1
    local kt = type(k)
    if kt == "string" then
      strings = strings + 1
    elseif kt ~= "number" then
      return nil, false, "has a key that is a " .. kt
    end
  end
  if strings == count then return nil, count == 0 end
  if strings > 0 then return nil, false, "mixes list items and named fields" end
  local n = rawlen and rawlen(t) or #t
  if count ~= n then return nil, false, HOLES end
  for i = 1, n do
    if rawget(t, i) == nil then return nil, false, HOLES end
  end
  return n
end

local function encode_table(t, path, out, seen, depth)
  if seen[t] then return nil, path .. " is a table that holds itself" end
  if depth >= MAX_DEPTH then
    return nil, path .. " is nested deeper than " .. MAX_DEPTH .. " levels"
  end
  local n, empty, why = list_length(t)
  if why then return nil, path .. " " .. why end
  seen[t] = true
  if n or empty then
    local _, array_mt, empty_mt = cjson_marks()
    local mt = getmetatable(t)
    if n or (mt ~= nil and (mt == array_mt or mt == empty_mt)) then
      out[#out + 1] = "["
      for i = 1, n or 0 do
        if i > 1 then out[#out + 1] = "," end
        local ok, err = encode_value(rawget(t, i), path .. "[" .. i .. "]",
          out, seen, depth + 1)
        if not ok then return nil, err end
      end
      out[#out + 1] = "]"
      seen[t] = nil
      return true
    end
  end
  local keys = {}
  for k in next, t do keys[#keys + 1] = k end
  sort(keys, before)
  out[#out + 1] = "{"
  for i, k in ipairs(keys) do
    local key = _M.utf8(k)
    if key ~= k then return nil, path .. " has a key that is not UTF-8" end
    out[#out + 1] = (i > 1 and "," or "") .. _M.string(k) .. ":"
    local ok, err = encode_value(rawget(t, k), path .. "." .. k, out, seen,
      depth + 1)
    if not ok then return nil, err end
  end
  out[#out + 1] = "}"
  seen[t] = nil
  return true
end

encode_value = function(v, path, out, seen, depth)
  local t = type(v)
  if t == "string" then
    if _M.utf8(v) ~= v then
      return nil, path .. " is not UTF-8 text (JSON cannot carry its bytes)"
    end
    out[#out + 1] = _M.string(v)
    return true
  end
  if t == "number" then
    local text = _M.number(v)
    if not text then
      return nil, path .. " is " .. (v ~= v and "NaN" or tostring(v)) ..
        ": JSON has no such number"
    end
    out[#out + 1] = text
    return true
  end
  if t == "boolean" then
    out[#out + 1] = v and "true" or "false"
    return true
  end
  if t == "table" then return encode_table(v, path, out, seen, depth) end
  if v ~= nil and v == (cjson_marks()) then
    out[#out + 1] = "null"
    return true
  end
  return nil, path .. " is a " .. t .. ": JSON has no such value"
end

--- The JSON text of v, or nil and a message naming what cannot be written
-- (NaN, an infinity, a function, a table that holds itself, a list with
-- holes, a table mixing list items and named fields, bytes that are not
-- UTF-8, nesting deeper than 64). Objects have their keys in byte order,
-- so a table gives the same text each time; an empty table is {} (an
-- empty list carries cjson's array metatable); cjson.null is null;
-- integers are written with all their digits. name names v in messages.
function _M.encode(v, name)
  local out = {}
  local ok, err = encode_value(v, name or "value", out, {}, 0)
  if not ok then return nil, _M.truncate(err, 300) end
  return concat(out)
end

return _M
