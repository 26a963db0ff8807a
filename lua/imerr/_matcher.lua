--- imerr._matcher (internal; callers make one with imerr.matcher):
-- predicates over codes for alert rules, e.g.
-- matcher.new{ class = "transient", reason = "rate_limited",
-- section = "group" } matches codes with all of these.
-- @module imerr._matcher
local imerr = require "imerr"
local rows = require "imerr._rows"

local type, pairs, to_code = type, pairs, rows.to_code
local row_of, codes, hint_of = rows.row, rows.codes, rows.hints

local _M = { _VERSION = imerr._VERSION }

-- Fields a matcher can test, and where a predicate reads them: "row" for
-- the row's own (the private texts and groups), "group" for those shared
-- by rows from the same place, "hint" for those of its hint (the private
-- hint). Unknown codes have the hint of reason "unknown" and no part,
-- section or name.
local FIELDS = { code = "code", name = "row", official = "group",
  part = "group", section = "group", class = "hint", reason = "hint",
  action = "hint", severity = "hint", http_status = "hint" }

local UNKNOWN = rows.private_of[require("imerr._hint").UNKNOWN]

-- The values a field can have, where they are few and known without
-- making every row: a misspelt value ("rate_limted") would otherwise make
-- a rule that never fires. (part and section are not checked.)
local KNOWN = {
  class = { ok = true, transient = true, fatal = true },
  severity = { critical = true, warning = true, info = true },
  action = rows.actions, -- data/actions.tsv
  official = { [true] = true, [false] = true },
  reason = {}, http_status = {},
}
for name, r in pairs(rows.private_reasons()) do
  KNOWN.reason[name], KNOWN.http_status[r.http_status] = true, true
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
    tests[#tests + 1] = { field = field, set = set, from = FIELDS[field] }
  end
  local n = #tests
  return function(code)
    local i = row_of(code)
    if not i and not to_code(code) then return false end
    local hint = i and hint_of[codes[i]] or UNKNOWN
    for k = 1, n do
      local t, value = tests[k]
      local from = t.from
      if from == "hint" then value = hint[t.field]
      elseif from == "code" then value = to_code(code) -- 125000, not 120001
      elseif i and from == "group" then value = rows.texts().groups[i][t.field]
      elseif i then value = rows.texts().names[i]
      end
      if not t.set[value] then return false end
    end
    return true
  end
end

return _M
