-- A stand-in for ngx.shared.DICT in plain Lua, for the specs: get, set,
-- add, incr and delete with ngx's answers and expiry (in the time of a
-- given clock), plus evict(key), as a full dict evicting under load does.
local Dict = {}
Dict.__index = Dict

local function live(self, key)
  local e = self.items[key]
  if e and e.expires and e.expires <= self.clock() then
    self.items[key] = nil
    return nil
  end
  return e
end

function Dict:get(key)
  local e = live(self, key)
  if e then return e.value end
  return nil
end

function Dict:set(key, value, exptime)
  if exptime and exptime < 0 then error("bad exptime", 2) end
  self.items[key] = { value = value,
    expires = exptime and exptime > 0 and self.clock() + exptime or nil }
  return true, nil, false
end

function Dict:add(key, value, exptime)
  if live(self, key) then return false, "exists", false end
  return self:set(key, value, exptime)
end

function Dict:incr(key, delta, init)
  local e = live(self, key)
  if not e then
    if init == nil then return nil, "not found" end
    self.items[key] = { value = init }
    e = self.items[key]
  end
  if type(e.value) ~= "number" then return nil, "not a number" end
  e.value = e.value + delta
  return e.value, nil, false
end

function Dict:delete(key)
  self.items[key] = nil
end

function Dict:evict(key)
  self.items[key] = nil
end

return function(clock)
  return setmetatable({ items = {}, clock = clock or os.time }, Dict)
end
