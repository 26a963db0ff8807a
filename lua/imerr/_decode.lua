--- imerr._decode: JSON text to Lua values as imerr reads answers and
-- request bodies (internal). The decoder is a private cjson instance (its
-- settings never touch other users of cjson), else dkjson; around it,
-- imerr.core keeps integers exact: literals beyond 2^53, which a double
-- rounds (get_appid_group_list's 64-bit Next, a 19-digit id), come back as
-- integers where a Lua integer holds them (5.3, 5.4), else as their exact
-- decimal text (LuaJIT, 5.1, and beyond 64 bits); and on 5.3 and 5.4
-- every integral number comes back as an integer (1, not 1.0). The text
-- is scanned once in C; only a text with such a literal is rewritten.
local core = require "imerr.core"

local type, pcall = type, pcall
local bigints, fix = core.json_bigints, core.json_fix

local _M = {}

-- Deeper JSON is no IM answer; cjson refuses it before building it.
local MAX_DEPTH = 64
_M.MAX_DEPTH = MAX_DEPTH

-- Lua 5.3+: numbers have an integer subtype.
local INTEGERS = rawget(math, "type") ~= nil

local function find_decoder()
  local ok, cjson = pcall(require, "cjson.safe")
  if ok and type(cjson) == "table" and cjson.new then
    local inst = cjson.new()
    inst.decode_max_depth(MAX_DEPTH)
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
local decoder = find_decoder()

--- Whether a decoder was found.
_M.available = decoder ~= nil

--- The value of JSON text, or nil and a message that starts with "text"
-- (or "no JSON decoder").
function _M.decode(text)
  if not decoder then
    return nil, "no JSON decoder: install lua-cjson (or dkjson), or pass one"
  end
  if text:find("\0", 1, true) then return nil, "text has a NUL byte" end
  local quoted, marker = bigints(text)
  if quoted == false then return nil, marker end
  local ok, v, err = pcall(decoder, quoted or text)
  if not ok or v == nil then
    return nil, "text is not JSON: " .. tostring(ok and err or v):sub(1, 200)
  end
  if type(v) == "table" and (marker or INTEGERS) then fix(v, marker or 0) end
  return v
end

return _M
