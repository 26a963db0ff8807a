--- imerr._budget (internal; callers make one with retry.budget): a retry
-- budget, the token bucket shared by every retry policy that uses it
-- (AWS retry quota): a retry takes `cost` tokens
-- (`timeout_cost` after a timeout), a success gives back what its retries
-- took, or `refund` when it needed none. Tokens live in a store: one of
-- imerr.store (memory, an ngx.shared.DICT for one nginx, Redis for a
-- fleet), or any object with incr(key, delta, init) -> new value and
-- get(key). A store that fails, raises or answers anything but a finite
-- number means no retry: the budget fails closed.
-- @module imerr._budget
local store_mod = require "imerr.store"

local type, pcall, setmetatable, tostring = type, pcall, setmetatable, tostring
local private = require "imerr._private"
local finite = require("imerr._limits").finite

local _M = {}


local Budget = {}
Budget.__index = Budget

local positive_number = private.positive_number

-- Whether a store (an object: ngx.shared.DICT has a metatable, and an
-- __index may raise) has a method.
local function has_method(store, name)
  local ok, f = pcall(function() return store[name] end)
  return ok and type(f) == "function"
end

--- budget.new{ capacity = 500, cost = 5, timeout_cost = 10, refund = 1,
-- shared = ngx.shared.DICT or store = s, key = "imerr:budget" }
-- -> a budget, or nil and a message.
-- @tparam[opt] table opts the options above (numbers in (0, 1e9]; key a
-- non-empty string); no store and no shared: a memory store
-- @treturn Budget a budget
-- @return[2] nil
-- @treturn[2] string what is wrong with opts
function _M.new(opts)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then return nil, "budget options must be a table" end
  local b = setmetatable({ capacity = 500, cost = 5, timeout_cost = 10,
    refund = 1, key = "imerr:budget", seen = false, owed = 0 }, Budget)
  for k, v in pairs(opts) do
    if k == "key" then
      if type(v) ~= "string" or v == "" then
        return nil, "budget key must be a non-empty string"
      end
      b.key = v
    elseif k == "capacity" or k == "cost" or k == "timeout_cost" or
      k == "refund" then
      if not positive_number(v) then
        return nil, "budget " .. k .. " must be a number in (0, 1e9]"
      end
      b[k] = v
    elseif k ~= "shared" and k ~= "store" then
      return nil, "unknown budget option " .. tostring(k)
    end
  end
  if opts.shared and opts.store then
    return nil, "give shared or store, not both"
  end
  local store = opts.store
  if opts.shared then
    local err
    store, err = store_mod.shared(opts.shared)
    if not store then return nil, "budget shared: " .. err end
  end
  store = store or store_mod.memory()
  if not has_method(store, "incr") or not has_method(store, "get") then
    return nil, "budget store must have incr(key, delta, init) and get(key)"
  end
  b.store = store
  -- imerr's stores take and refund in one atomic step.
  b.atomic = has_method(store, "bucket")
  return b
end

-- What a bucket that is missing starts with: full the first time, empty
-- once this budget has seen it (it was evicted, flushed or lost with a
-- Redis restart: a drained bucket must not come back full).
local function init(self)
  return self.seen and 0 or self.capacity
end

-- store:incr, protected: the new value, or nil.
local function incr(self, delta)
  local ok, v = pcall(self.store.incr, self.store, self.key, delta, init(self))
  if not ok or not finite(v) then return nil end
  self.seen = true
  return v
end

-- store:bucket, protected: the value and whether delta was applied.
local function bucket(self, delta)
  local ok, v, applied = pcall(self.store.bucket, self.store, self.key, delta,
    self.capacity, init(self))
  if not ok or not finite(v) then return nil end
  self.seen = true
  return v, applied == true
end

-- Gives back tokens taken by a refused take whose refund failed.
local function repay(self)
  local owed = self.owed
  if owed > 0 and incr(self, owed) then self.owed = 0 end
end

--- A retry budget, made by budget.new.
-- @type Budget

--- Takes the tokens for one retry: returns the cost taken, or nil when the
-- budget cannot pay (or its store fails: then no retry, to be safe).
-- @param[opt] after_timeout true when the failure was a timeout: takes
-- timeout_cost instead of cost
-- @treturn number the tokens taken
-- @return[2] nil: no retry
function Budget:take(after_timeout)
  local cost = after_timeout and self.timeout_cost or self.cost
  if self.atomic then
    local _, applied = bucket(self, -cost)
    if applied then return cost end
    return nil
  end
  repay(self)
  local left = incr(self, -cost)
  if not left then return nil end
  if left < 0 then
    -- Refund what the refused take removed; once more if that fails, and
    -- if it still fails, owe it until a later call can pay it back.
    if not incr(self, cost) and not incr(self, cost) then
      self.owed = self.owed + cost
    end
    return nil
  end
  return cost
end

--- Reports a success: gives back `taken` tokens, or `refund` if none.
-- Never above capacity.
-- @tparam[opt] number taken what the request's retries took
function Budget:success(taken)
  local add = positive_number(taken, self.capacity) and taken or self.refund
  if self.atomic then
    bucket(self, add)
    return
  end
  repay(self)
  local v = incr(self, add)
  if v and v > self.capacity then incr(self, self.capacity - v) end
end

--- Tokens left now, or nil and a message when the store fails. A bucket
-- not created yet is full; one this budget saw before and finds gone is
-- empty.
-- @treturn number the tokens left
-- @return[2] nil
-- @treturn[2] string what the store said
function Budget:tokens()
  local ok, v, err = pcall(self.store.get, self.store, self.key)
  if not ok then return nil, "budget store failed: " .. tostring(v) end
  if v == nil then
    if err ~= nil then return nil, "budget store failed: " .. tostring(err) end
    return init(self)
  end
  if not finite(v) then return nil, "budget store holds no finite number" end
  return v
end

--- Functions
-- @section functions

--- Whether b was made by budget.new.
-- @param b any value
-- @treturn boolean
function _M.is_budget(b)
  return getmetatable(b) == Budget
end

return _M
