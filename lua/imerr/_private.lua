--- imerr._private: helpers imerr's own modules share (quoting, number
-- checks, the default clock). Not part of the API.
local type, pairs = type, pairs

local _M = {}

--- A text for a message: quoted, at most max bytes of it (then "..."),
-- and on one line: control bytes escaped, never a backslash-newline as
-- %q writes it, so that a log line stays one line.
function _M.quote(text, max)
  local cut = max and #text > max
  if cut then text = text:sub(1, max) end
  local q = ("%q"):format(text):gsub("\\\n", "\\n"):gsub("%c",
    function(c) return ("\\%03d"):format(c:byte()) end)
  return cut and q .. "..." or q
end

--- nil, or a message naming the first key of opts not in known: by name
-- when it looks like one, else by its type (a secret passed as a key must
-- not be printed).
function _M.unknown_option(opts, known, where)
  for k in pairs(opts) do
    if not known[k] then
      local name = type(k) == "string" and #k <= 24 and
        k:find("^[%a_][%w_]*$") and _M.quote(k) or "of type " .. type(k)
      return ("unknown %s option %s"):format(where, name)
    end
  end
end

--- Whether v is a number in (0, max] (max 1e9 unless given): rules out
-- NaN, infinities and absurd settings.
function _M.positive_number(v, max)
  return type(v) == "number" and v > 0 and v <= (max or 1e9)
end

--- The clock of policies and stores, in seconds: ngx.now inside nginx,
-- else luasocket's or luasystem's gettime, else os.time (whole seconds).
function _M.default_clock()
  local ngx = rawget(_G, "ngx")
  if type(ngx) == "table" and ngx.now then return ngx.now end
  for _, name in ipairs { "socket", "system" } do
    local ok, mod = pcall(require, name)
    if ok and type(mod) == "table" and mod.gettime then return mod.gettime end
  end
  return os.time
end

return _M
