--- imerr.alert: alert rules over a stream of codes, such as "page when
-- any critical code is seen, or more than 100 rate_limited codes within
-- a minute".
-- @module imerr.alert
local imerr = require "imerr"
local matcher = require "imerr._matcher"

local type, setmetatable, tostring = type, setmetatable, tostring
local quote = require("imerr._private").quote

local _M = { _VERSION = imerr._VERSION }

local Rules = {}
Rules.__index = Rules

local RULE_KEYS = { name = true, match = true, more_than = true,
  window = true }

local function check_rule(i, r)
  if type(r) ~= "table" then return "rule " .. i .. " must be a table" end
  if type(r.name) ~= "string" then return "rule " .. i .. " needs a name" end
  for k in pairs(r) do
    if not RULE_KEYS[k] then
      return "rule " .. quote(r.name, 60) .. ": unknown option " ..
        quote(tostring(k), 40)
    end
  end
  local n = r.more_than or 0
  if type(n) ~= "number" or n < 0 or n ~= math.floor(n) or n > 1e6 then
    return "rule " .. r.name .. ": more_than must be a whole number 0..1e6"
  end
  local w = r.window or 60
  if type(w) ~= "number" or not (w > 0) then
    return "rule " .. r.name .. ": window must be a positive number"
  end
end

--- alert.rules{ {name = ..., match = {matcher spec} or predicate,
-- more_than = N (default 0), window = seconds (default 60)}, ... }
-- -> rules, or nil and a message.
-- @tparam table list the rules, each with name and match
-- @treturn Rules the rules
-- @return[2] nil
-- @treturn[2] string what is wrong with a rule
function _M.rules(list)
  if type(list) ~= "table" then return nil, "rules must be a list" end
  local rules = setmetatable({}, Rules)
  for i, r in ipairs(list) do
    local err = check_rule(i, r)
    if err then return nil, err end
    local match = r.match
    if type(match) == "table" then
      match, err = matcher.new(match)
      if not match then return nil, "rule " .. r.name .. ": " .. err end
    elseif type(match) ~= "function" then
      return nil, "rule " .. r.name .. ": match must be a spec or function"
    end
    -- A ring of the last more_than + 1 times this rule matched.
    rules[i] = { name = r.name, match = match, window = r.window or 60,
      size = (r.more_than or 0) + 1, times = {}, next = 1 }
  end
  return rules
end

-- The clock stepped back (NTP, a restored VM): times after now are
-- observations from a future that did not happen; drop them, keeping the
-- others in order, so that they neither fire the rule nor hold its window.
local function drop_future(r, now)
  local kept, size = {}, r.size
  for k = 0, size - 1 do
    local t = r.times[(r.next - 1 + k) % size + 1]
    if t and t <= now then kept[#kept + 1] = t end
  end
  r.times = kept
  r.next = #kept % size + 1
  r.last = kept[#kept]
end

--- Rules, made by alert.rules.
-- @type Rules

--- rules:observe(code, now) -> list of the names of the rules that fire:
-- those that matched more than more_than codes within their window,
-- counting this one. now is in seconds (e.g. ngx.now()); when it is
-- earlier than an earlier call's, the observations after it are dropped.
-- Without a finite now, nil and a message.
-- @param code a code, as imerr.lookup takes it
-- @number now the time in seconds
-- @treturn {string,...} the names of the rules that fire (maybe none)
-- @return[2] nil
-- @treturn[2] string when now is not a finite number
function Rules:observe(code, now)
  if type(now) ~= "number" or not (now > -math.huge and now < math.huge) then
    return nil, "now must be a finite number of seconds"
  end
  local fired = {}
  for i = 1, #self do
    local r = self[i]
    if r.match(code) then
      if r.last and now < r.last then drop_future(r, now) end
      local slot = r.next
      r.times[slot] = now
      r.last = now
      r.next = slot % r.size + 1
      local oldest = r.times[r.next]
      if r.size == 1 then oldest = now end
      if oldest and now - oldest < r.window then
        fired[#fired + 1] = r.name
      end
    end
  end
  return fired
end

return _M
