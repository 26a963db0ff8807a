--- imerr._json: the little JSON imerr writes itself (flat objects of
-- strings, numbers and booleans), so answers need no JSON library.
local type, tostring, concat = type, tostring, table.concat

local _M = {}

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n",
  ["\r"] = "\\r", ["\t"] = "\\t" }

local function escape(c)
  return ESCAPES[c] or ("\\u%04x"):format(c:byte())
end

--- A JSON string literal for s (bytes >= 0x80 pass through as UTF-8).
function _M.string(s)
  return '"' .. s:gsub('[%c"\\]', escape) .. '"'
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
