--- imerr.matcher: predicates over codes for alert rules, e.g.
-- matcher.new{ class = "transient", reason = "rate_limited",
-- section = "group" } matches codes with all of these.
-- @module imerr.matcher
local imerr = require "imerr"

local type, pairs, lookup, to_code = type, pairs, imerr.lookup, imerr.to_code

local _M = { _VERSION = imerr._VERSION }

-- Fields a matcher can test: true for the row's own, "hint" for those of
-- its hint. Unknown codes have the hint of reason "unknown" and no part,
-- section or name.
local FIELDS = { code = true, name = true, official = true, part = true,
  section = true, class = "hint", reason = "hint", action = "hint",
  severity = "hint", http_status = "hint" }

local UNKNOWN_ROW = { hint = require("imerr.hint").UNKNOWN }

-- The values a field can have, where they are few and known without
-- making every row: a misspelt value ("rate_limted") would otherwise make
-- a rule that never fires. (part and section are not checked.)
local KNOWN = {
  class = { ok = true, transient = true, fatal = true },
  severity = { critical = true, warning = true, info = true },
  action = { none = true, retry = true, retry_later = true, reconnect = true,
    reduce_rate = true, wait_in_progress = true, relogin = true,
    fix_request = true, fix_config = true },
  official = { [true] = true, [false] = true },
  reason = {}, http_status = {},
}
-- (Indexed: ipairs over a read-only view sees nothing on Lua 5.1.)
for i = 1, math.huge do
  local r = imerr.reasons_list[i]
  if not r then break end
  KNOWN.reason[r.name], KNOWN.http_status[r.http_status] = true, true
end

local quote = require("imerr._private").quote

-- A value as a message shows it: strings quoted ("429" is not 429).
local function shown(v)
  return type(v) == "string" and quote(v, 60) or tostring(v)
end

-- Why v is no value of field, or nil when it may be one.
local function unknown_value(field, v)
  local known = KNOWN[field]
  if known and not known[v] then
    return ("matcher %s has no value %s"):format(field, shown(v))
  end
  if field == "name" and not imerr.code(v) then
    return "matcher name: no code is named " .. shown(v)
  end
end

-- A set of accepted values from one value or a list of them.
local function value_set(field, value)
  local list = type(value) == "table" and value or { value }
  if #list == 0 then return nil, "matcher " .. field .. " has no values" end
  local set = {}
  for _, v in ipairs(list) do
    if field == "code" then
      local code, err = to_code(v)
      if not code then return nil, "matcher code: " .. err end
      v = code
    elseif type(v) ~= "string" and type(v) ~= "number" and
      type(v) ~= "boolean" or v ~= v then
      return nil, "matcher " .. field .. " values must be strings, " ..
        "numbers or booleans"
    else
      local err = unknown_value(field, v)
      if err then return nil, err end
    end
    set[v] = true
  end
  return set
end

--- matcher.new(spec) -> predicate(code) -> boolean, or nil and a message.
-- spec maps fields (code, name, official, part, section, class, reason,
-- action, severity, http_status) to a value or a list of values.
-- @tparam table spec field -> value or list of values
-- @treturn function predicate(code) -> boolean; false for anything that
-- is not a code
-- @return[2] nil
-- @treturn[2] string what is wrong with spec
function _M.new(spec)
  if type(spec) ~= "table" then
    return nil, "matcher spec must be a table, got " .. type(spec)
  end
  local tests = {}
  for field, value in pairs(spec) do
    if not FIELDS[field] then
      return nil, "matcher has no field " .. tostring(field)
    end
    local set, err = value_set(field, value)
    if not set then return nil, err end
    tests[#tests + 1] = { field = field, set = set,
      in_hint = FIELDS[field] == "hint" }
  end
  local n = #tests
  return function(code)
    local row = lookup(code)
    if not row then
      if not to_code(code) then return false end
      row = UNKNOWN_ROW
    end
    for i = 1, n do
      local t, value = tests[i]
      if t.in_hint then value = row.hint[t.field]
      elseif t.field == "code" then value = to_code(code) -- 125000, not 120001
      else value = row[t.field]
      end
      if not t.set[value] then return false end
    end
    return true
  end
end

return _M
