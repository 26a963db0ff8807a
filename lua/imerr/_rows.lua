--- imerr._rows: the C table as the Lua tables imerr's own modules read,
-- made by imerr.core at their final size. Private: what decides (classify,
-- policies, rest.check, limiters, callbacks, matchers) reads the private
-- hints, reasons and groups here, which no caller is handed; callers get
-- plain public copies (public(hint), public_reasons(), the rows imerr
-- makes).
--
-- Fields (core.tables): count; codes (row -> code); index (code -> row);
-- hints (code -> private hint); ranges (rows of ranges) and lasts (row ->
-- last code, ranges only).
local core = require "imerr.core"

local type, tostring, floor = type, tostring, math.floor
local byte, find = string.byte, string.find

local _M = core.tables()
_M.VERSION, _M.find_name = core._VERSION, core.find_name
-- Every action a hint may carry, from data/actions.tsv: a set (private;
-- _hint and _matcher read it, so an action added there is known to both).
_M.actions = {}
for _, name in ipairs(core.actions) do _M.actions[name] = true end

-- The key under which a private hint holds its public copy: retry.hint
-- goes from a code to it with one more index by a constant string.
local PUBLIC = "\0public"
_M.PUBLIC = PUBLIC
-- public hint -> private hint, for every hint imerr has handed out.
local private_of = {}
_M.private_of = private_of

--- The public copy of a private hint (a plain table of the same fields),
-- made on first use and linked both ways. (No loop: LuaJIT compiles a
-- row's first lookup, which may make it, into the lookup's trace.)
function _M.public(hint)
  local public = hint[PUBLIC]
  if public then return public end
  public = { class = hint.class, reason = hint.reason, action = hint.action,
    min_delay = hint.min_delay, http_status = hint.http_status,
    severity = hint.severity, ambiguous = hint.ambiguous,
    status = hint.status }
  hint[PUBLIC], private_of[public] = public, hint
  return public
end

local reasons
--- name -> private reason (what decisions read), made on first use.
function _M.private_reasons()
  reasons = reasons or core.reasons()
  return reasons
end

--- name -> reason and the list of the same in documented order: the
-- public ones (imerr.reasons, imerr.reasons_list).
function _M.public_reasons()
  return core.reasons(true)
end

local CODE_MIN, CODE_MAX = core.CODE_MIN, core.CODE_MAX
local index, codes, lasts, ranges = _M.index, _M.codes, _M.lasts, _M.ranges

local texts
--- The texts, made on the first call (require does not pay for them):
-- names and messages (row -> text), groups (row -> {part, section,
-- official, source}, shared) and changes (row -> change, where one is).
function _M.texts()
  if not texts then texts = core.texts() end
  return texts
end

-- The row of the range holding code, or nil: a chain of comparisons made
-- from the ranges on first use (LuaJIT compiles it as straight code where
-- a loop over them would abort traces).
local range_row
local function find_range(code)
  local src = { "local code = ...\n" }
  local widest = {}
  for k, i in ipairs(ranges) do widest[k] = i end
  -- Widest first: most codes in ranges are found by the first test.
  table.sort(widest, function(a, b)
    return lasts[a] - codes[a] > lasts[b] - codes[b]
  end)
  for _, i in ipairs(widest) do
    src[#src + 1] = ("if code >= %d and code <= %d then return %d end\n")
      :format(codes[i], lasts[i], i)
  end
  range_row = assert((rawget(_G, "loadstring") or load)(table.concat(src),
    "=imerr ranges"))
  return range_row(code)
end
range_row = find_range

--- Turns any accepted form of a code into an integral number, or nil and
-- why not (imerr.to_code).
function _M.to_code(value)
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
    local shown = require("imerr._private").quote(value, 40)
    if why == "range" then
      return nil, "invalid code: " .. shown .. " is outside the 32-bit range"
    end
    return nil, "invalid code: " .. shown .. " is not a decimal integer"
  end
  return nil, "invalid code: expected a number or a string, got " .. t
end
local to_code = _M.to_code

-- canonical decimal string ("70001") -> row, filled as they come.
local by_text = {}

--- The row of a code in any accepted form (a range's row for the codes
-- in it), and true when value is a known code's canonical spelling
-- ("70001"); or nil and a message. Those strings are remembered (at most
-- one a row), so that each is parsed once: LuaJIT compiles their path,
-- which calls no C function.
function _M.row(value)
  local i = index[value]
  if i then return i end
  i = by_text[value]
  if i then return i, true end
  local code, err = to_code(value)
  if not code then return nil, err end
  i = index[code]
  if i then
    -- Its first byte is '-' or 1-9: most other spellings stop there.
    local first = type(value) == "string" and byte(value, 1)
    if first and (first == 45 or first >= 49 and first <= 57) and
      find(value, "^%-?[1-9]%d*$") or value == "0" then
      by_text[value] = i
      return i, true
    end
    return i
  end
  i = range_row(code)
  if i then return i end
  return nil, "unknown code: " .. tostring(floor(code))
end

--- The private hint of a code in any accepted form, or nil.
function _M.hint(value)
  local i = _M.row(value)
  return i and _M.hints[codes[i]]
end

return _M
