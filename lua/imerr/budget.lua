--- imerr.budget: a retry budget, the token bucket shared by every retry
-- policy that uses it (AWS retry quota): a retry takes `cost` tokens
-- (`timeout_cost` after a timeout), a success gives back what its retries
-- took, or `refund` when it needed none. Tokens live in a store with an
-- atomic incr(key, delta, init) -> new value, like ngx.shared.DICT, so
-- one bucket can serve every nginx worker.
local type, pcall, setmetatable = type, pcall, setmetatable

local _M = {}

local MemoryStore = {}
MemoryStore.__index = MemoryStore

function MemoryStore:incr(key, delta, init)
  local v = (self.values[key] or init) + delta
  self.values[key] = v
  return v
end

function MemoryStore:get(key)
  return self.values[key]
end

--- A store for one Lua state (the default).
function _M.memory_store()
  return setmetatable({ values = {} }, MemoryStore)
end

local Budget = {}
Budget.__index = Budget

-- A number in (0, max]: rules out NaN, infinities and absurd settings.
local function positive_number(v, max)
  return type(v) == "number" and v > 0 and v <= (max or 1e9)
end

_M.positive_number = positive_number

--- budget.new{ capacity = 500, cost = 5, timeout_cost = 10, refund = 1,
-- shared = ngx.shared.DICT or store = {incr=...}, key = "imerr:budget" }
-- -> a budget, or nil and a message.
function _M.new(opts)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then return nil, "budget options must be a table" end
  local b = setmetatable({ capacity = 500, cost = 5, timeout_cost = 10,
    refund = 1, key = "imerr:budget" }, Budget)
  for k, v in pairs(opts) do
    if b[k] ~= nil and k ~= "key" then
      if not positive_number(v) then
        return nil, "budget " .. k .. " must be a number in (0, 1e9]"
      end
      b[k] = v
    elseif k == "key" then
      if type(v) ~= "string" or v == "" then
        return nil, "budget key must be a non-empty string"
      end
      b.key = v
    elseif k ~= "shared" and k ~= "store" then
      return nil, "unknown budget option " .. tostring(k)
    end
  end
  local store = opts.shared or opts.store or _M.memory_store()
  if opts.shared and opts.store then
    return nil, "give shared or store, not both"
  end
  -- Stores are objects (ngx.shared.DICT has a metatable): ask politely.
  local has_incr, incr = pcall(function() return store.incr end)
  if not has_incr or type(incr) ~= "function" then
    return nil, "budget store must have an incr(key, delta, init) method"
  end
  b.store = store
  return b
end

--- Takes the tokens for one retry: returns the cost taken, or nil when the
-- budget cannot pay (or its store fails: then no retry, to be safe).
function Budget:take(after_timeout)
  local cost = after_timeout and self.timeout_cost or self.cost
  local left = self.store:incr(self.key, -cost, self.capacity)
  if type(left) ~= "number" then return nil end
  if left < 0 then
    self.store:incr(self.key, cost, self.capacity)
    return nil
  end
  return cost
end

--- Reports a success: gives back `taken` tokens, or `refund` if none.
function Budget:success(taken)
  local add = positive_number(taken, self.capacity) and taken or self.refund
  local v = self.store:incr(self.key, add, self.capacity)
  if type(v) == "number" and v > self.capacity then
    self.store:incr(self.key, self.capacity - v, self.capacity)
  end
end

--- Tokens left now.
function Budget:tokens()
  local v = self.store:get(self.key)
  if type(v) ~= "number" then return self.capacity end
  return v
end

--- Whether b was made by budget.new.
function _M.is_budget(b)
  return getmetatable(b) == Budget
end

return _M
