--- imerr._private: what imerr's own modules share and callers are not
-- handed: the read-only views (proxies) imerr gives out, and the private
-- tables behind them, which decisions read. Not part of the API.
--
-- A view is an empty table whose metatable (protected) reads through to
-- a private table: indexing works everywhere; a write raises; pairs, #
-- and ipairs see the fields on Lua 5.2 and later (__pairs, __len,
-- __ipairs), and see an empty table on Lua 5.1 and LuaJIT, as rawget
-- does on every version. imerr.copy makes a plain copy.
local setmetatable, error, tostring, next, type = setmetatable, error,
  tostring, next, type

local _M = {}

-- view -> the private table it shows.
local private_of = {}

-- Filled by imerr (init.lua), read by imerr.hint and imerr.retry:
-- code (number) -> the private hint of its row; reason name -> private
-- reason.
_M.hint_by_code, _M.reasons = {}, {}

-- The key under which a private hint keeps its own view: retry.hint goes
-- from a code to it with one more index by a constant string (as fast as
-- a field). Iteration and imerr.copy skip it; a caller who reads it from a
-- view gets that same read-only view.
local VIEW = "\0view"
_M.VIEW = VIEW

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

local PROTECTED = "imerr: read-only table"

local function deny(_, key)
  local t = type(key)
  error("imerr: cannot set field " ..
    ((t == "string" or t == "number") and tostring(key) or "of type " .. t) ..
    ": imerr's shared tables are read-only (imerr.copy gives a copy)", 2)
end

-- Iterators that hand out the fields, never the private table itself.
local function each(view, key)
  local t = private_of[view]
  local k, v = next(t, key)
  if k == VIEW then k, v = next(t, k) end
  return k, v
end

local function each_index(view, i)
  i = i + 1
  local v = private_of[view][i]
  if v ~= nil then return i, v end
end

local function pairs_view(view) return each, view, nil end
local function ipairs_view(view) return each_index, view, 0 end
local function len_view(view) return #private_of[view] end

--- A read-only view of private (which the caller keeps to itself); with
-- linked, private[VIEW] is the view. A list (imerr.reasons_list) also
-- answers # and ipairs on Lua 5.2+; a row or a hint needs neither, and
-- its metatable of four fields is half the size (a row's view is made
-- for every code a state looks up).
function _M.view(private, linked, list)
  local mt = { __index = private, __newindex = deny, __pairs = pairs_view,
    __metatable = PROTECTED }
  if list then mt.__ipairs, mt.__len = ipairs_view, len_view end
  local view = setmetatable({}, mt)
  private_of[view] = private
  if linked then private[VIEW] = view end
  return view
end

--- A read-only table that answers a key with get(key) (an index, not a
-- copy: pairs finds nothing in it).
function _M.lookup_view(get)
  return setmetatable({}, { __index = function(_, key) return get(key) end,
    __newindex = deny, __metatable = PROTECTED })
end

--- The private table behind a view made by _M.view, or nil for any other
-- value.
function _M.private(value)
  return private_of[value]
end

return _M
