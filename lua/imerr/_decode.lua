--- imerr._decode: JSON text to Lua values, as imerr reads answers and
-- request bodies (internal), by imerr.core's own reader: no JSON library
-- is needed. Integers come back exact: a literal beyond 2^53, which a
-- double would round (get_appid_group_list's 64-bit Next, a 19-digit id),
-- is an integer where a Lua integer holds it (5.3, 5.4), else its exact
-- decimal text (LuaJIT, 5.1, and beyond 64 bits); on 5.3 and 5.4 every
-- integral number is an integer (1, not 1.0). null is cjson's null (the
-- light userdata NULL); strings are the text's bytes, \u escapes as UTF-8.
local core = require "imerr.core"

local pcall, tostring = pcall, tostring
local json_decode = core.json_decode

local _M = {}

-- Deeper JSON is no IM answer: refused before it is built.
local MAX_DEPTH = 64

--- The value of JSON text and whether the text's strings are plain ASCII
-- (so that each is valid UTF-8 as it is); or nil and a message that
-- starts with "text".
function _M.decode(text)
  -- JSON text never holds a raw NUL.
  if text:find("\0", 1, true) then return nil, "text has a NUL byte" end
  -- (pcall: running out of memory raises)
  local ok, v, ascii = pcall(json_decode, text, MAX_DEPTH)
  if not ok then return nil, "text is not JSON: " .. tostring(v) end
  if v == nil then return nil, "text is not JSON: " .. ascii end
  return v, ascii
end

return _M
