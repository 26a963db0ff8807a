--- imerr._json: the little JSON imerr writes itself (flat objects of
-- strings, numbers and booleans), so answers need no JSON library.
local type, tostring, concat = type, tostring, table.concat
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

--- A JSON string literal for s: control characters escaped, bytes that
-- are not valid UTF-8 replaced by U+FFFD (JSON text is UTF-8).
function _M.string(s)
  return '"' .. _M.utf8(s):gsub('[%c"\\]', escape) .. '"'
end

local function value(v)
  local t = type(v)
  if t == "string" then return _M.string(v) end
  if t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    if v == math.floor(v) and v > -2 ^ 53 and v < 2 ^ 53 then
      return ("%d"):format(v)
    end
    return ("%.14g"):format(v)
  end
  if t == "boolean" then return tostring(v) end
  return "null"
end

--- A JSON object of the given keys of t, in that order (nil -> null).
function _M.object(t, keys)
  local parts = {}
  for i, key in ipairs(keys) do
    parts[i] = _M.string(key) .. ":" .. value(t[key])
  end
  return "{" .. concat(parts, ",") .. "}"
end

return _M
