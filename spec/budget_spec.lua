-- The retry budget (imerr.budget, also retry.budget) alone and under
-- policies.
local retry = require "imerr.retry"
local budget = require "imerr._budget"
local stores = require "imerr.store"

describe("imerr.budget", function()
  it("is what retry.budget makes", function()
    assert.is_true(budget.is_budget(retry.budget()))
    assert.same({ budget.new { capacity = 0 } }, { retry.budget { capacity = 0 } })
    assert.is_false(budget.is_budget({}))
  end)
end)

describe("retry.budget", function()
  it("refuses the third retry in a row with capacity 10, cost 5", function()
    local b = assert(retry.budget { capacity = 10, cost = 5 })
    local p = retry.policy { budget = b, max_attempts = 10 }
    assert.is_number(p:next(20004, 1))
    assert.is_number(p:next(20004, 2))
    assert.same({ nil, "budget" }, { p:next(20004, 3) })
    assert.equal(0, b:tokens())
  end)

  it("charges timeout_cost after timeouts", function()
    local b = retry.budget { capacity = 20, cost = 5, timeout_cost = 10 }
    assert.equal(10, b:take(true))
    assert.equal(5, b:take(false))
    assert.equal(5, b:tokens())
    local p = retry.policy { budget = b, max_attempts = 10 }
    assert.same({ nil, "budget" }, { p:next(70169, 1) })
    assert.is_number(p:next(-10114, 1))
    assert.equal(0, b:tokens())
  end)

  it("refunds on success, never above capacity", function()
    local b = retry.budget { capacity = 10, cost = 5, refund = 1 }
    b:take()
    b:take()
    assert.is_nil(b:take())
    b:success()
    assert.equal(1, b:tokens())
    b:success(5)
    assert.equal(6, b:tokens())
    for _ = 1, 20 do b:success() end
    assert.equal(10, b:tokens())
  end)

  it("is shared by every policy that uses it", function()
    local b = retry.budget { capacity = 10, cost = 5 }
    local p1 = retry.policy { budget = b, max_attempts = 10 }
    local p2 = retry.policy { budget = b, max_attempts = 10 }
    assert.is_number(p1:next(20004, 1))
    assert.is_number(p2:next(20004, 1))
    assert.same({ nil, "budget" }, { p1:next(20004, 2) })
  end)

  it("gives back what an attempts object took, on success", function()
    local b = retry.budget { capacity = 10, cost = 5, timeout_cost = 5 }
    local a = retry.policy { budget = b, max_attempts = 10 }:start()
    assert.is_number(a:next(9520))
    assert.is_number(a:next(9520))
    assert.equal(0, b:tokens())
    a:success()
    assert.equal(10, b:tokens())
  end)

  it("does not charge the relogin retry", function()
    local b = retry.budget { capacity = 5, cost = 5 }
    local p = retry.policy { budget = b }
    assert.equal(0, p:next(70001, 1, 0, true))
    assert.equal(5, b:tokens())
  end)

  it("takes a pluggable store and refuses when the store fails", function()
    local calls = 0
    local store = { incr = function(_, _, _, _) calls = calls + 1 end,
      get = function() end }
    local b = assert(retry.budget { store = store })
    assert.is_nil(b:take())
    assert.equal(1, calls)
  end)

  it("rejects bad options", function()
    for _, opts in ipairs { { capacity = -1 }, { cost = "5" }, { bucket = 1 },
      { store = {} }, { key = "" }, { store = stores.memory(),
      shared = stores.memory() }, { capacty = 5 } } do
      local b, err = retry.budget(opts)
      assert.is_nil(b)
      assert.is_string(err)
    end
  end)
end)

-- A store over a table whose incr and get can be made to misbehave.
local function flaky_store()
  local s = { values = {}, fail_incr = 0, incr_reply = nil }
  function s.incr(self, key, delta, init)
    if self.fail_incr > 0 then
      self.fail_incr = self.fail_incr - 1
      return nil, "down"
    end
    if self.incr_reply ~= nil then return self.incr_reply end
    local v = (self.values[key] or init) + delta
    self.values[key] = v
    return v
  end
  function s.get(self, key) return self.values[key] end
  return s
end

describe("retry.budget on a misbehaving store", function()
  it("refuses the retry when incr raises, and nothing escapes", function()
    local s = flaky_store()
    s.incr = function() error("connection reset") end
    s.get = function() error("connection reset") end
    local b = assert(retry.budget { store = s })
    local p = assert(retry.policy { budget = b, max_attempts = 5 })
    assert.same({ nil, "budget" }, { p:next(20004, 1) })
    local a = p:start()
    assert.same({ nil, "budget" }, { a:next(20004) })
    assert.has_no.errors(function() a:success() end)
    assert.has_no.errors(function() p:success() end)
    local tokens, err = b:tokens()
    assert.is_nil(tokens)
    assert.matches("connection reset", err)
  end)

  it("refuses the retry when incr answers NaN or junk", function()
    for _, reply in ipairs { 0 / 0, math.huge, "5", true } do
      local s = flaky_store()
      s.incr_reply = reply
      local b = assert(retry.budget { store = s })
      assert.is_nil(b:take())
    end
  end)

  it("reports no NaN as its tokens", function()
    local s = flaky_store()
    s.get = function() return 0 / 0 end
    local b = assert(retry.budget { store = s })
    local tokens, err = b:tokens()
    assert.is_nil(tokens)
    assert.is_string(err)
  end)

  it("refuses a store without get, or with a get that is not a method", function()
    for _, s in ipairs { { incr = function() end }, { incr = function() end, get = 5 } } do
      local b, err = retry.budget { store = s }
      assert.is_nil(b)
      assert.matches("get", err)
    end
  end)

  it("retries a refund that fails once inside take", function()
    local s = flaky_store()
    local b = assert(retry.budget { store = s, capacity = 10, cost = 5 })
    assert.equal(5, b:take())
    assert.equal(5, b:take())
    -- The third take goes to -5; its refund fails once, then succeeds.
    local incr = s.incr
    local calls = 0
    s.incr = function(self, key, delta, init)
      calls = calls + 1
      if calls == 2 then return nil, "timeout" end
      return incr(self, key, delta, init)
    end
    assert.is_nil(b:take())
    assert.equal(0, b:tokens())
  end)

  it("owes a refund that keeps failing and pays it back later", function()
    local s = flaky_store()
    local b = assert(retry.budget { store = s, capacity = 10, cost = 5 })
    b:take()
    b:take()
    local incr = s.incr
    local calls = 0
    s.incr = function(self, key, delta, init)
      calls = calls + 1
      if calls > 1 then return nil, "timeout" end
      return incr(self, key, delta, init)
    end
    assert.is_nil(b:take())
    assert.equal(-5, s.values["imerr:budget"])
    s.incr = incr
    b:success()
    assert.equal(1, b:tokens())
  end)
end)

describe("retry.budget in a shared dict that evicts", function()
  local new_dict = require "fleet.shdict"

  it("treats a drained bucket that was evicted as empty, not full", function()
    local dict = new_dict()
    local b = assert(retry.budget { shared = dict, capacity = 10, cost = 5 })
    assert.equal(5, b:take())
    assert.equal(5, b:take())
    dict:evict("imerr:budget")
    assert.equal(0, b:tokens())
    assert.is_nil(b:take())
    b:success(5)
    assert.equal(5, b:tokens())
  end)

  it("starts a bucket it has never seen full", function()
    local b = assert(retry.budget { shared = new_dict(), capacity = 10 })
    assert.equal(10, b:tokens())
    assert.equal(5, b:take())
  end)

  it("takes and refunds in one step: no transient negative value", function()
    local dict = new_dict()
    local b = assert(retry.budget { shared = dict, capacity = 10, cost = 5 })
    b:take()
    b:take()
    local lowest = 0
    local set = dict.set
    dict.set = function(self, key, v, ...)
      if key == "imerr:budget" and v < lowest then lowest = v end
      return set(self, key, v, ...)
    end
    local incr = dict.incr
    dict.incr = function(self, key, delta, ...)
      local v = incr(self, key, delta, ...)
      if key == "imerr:budget" and v < lowest then lowest = v end
      return v
    end
    assert.is_nil(b:take())
    assert.equal(0, lowest)
  end)
end)

local redis_env = require "fleet.redis_env"
local describe_redis = redis_env.available() and describe or pending
describe_redis("retry.budget on Redis", function()
  local store = require "imerr.store"

  it("is one bucket for every process that uses the key", function()
    local key = redis_env.key("budget")
    local a = assert(retry.budget { store = store.redis(redis_env.client()),
      key = key, capacity = 10, cost = 5 })
    local b = assert(retry.budget { store = store.redis(redis_env.client()),
      key = key, capacity = 10, cost = 5 })
    assert.equal(5, a:take())
    assert.equal(5, b:take())
    assert.is_nil(a:take())
    assert.equal(0, b:tokens())
    b:success(5)
    assert.equal(5, a:tokens())
  end)

  it("refuses retries while Redis cannot be reached", function()
    local s = store.redis(function() return nil, "connection refused" end)
    local b = assert(retry.budget { store = s })
    local p = assert(retry.policy { budget = b })
    assert.same({ nil, "budget" }, { p:next(20004, 1) })
    assert.is_nil((b:tokens()))
  end)
end)

describe("retry.budget on a store of the caller's (incr and get only)", function()
  it("never rises above capacity, whatever the successes", function()
    local s = flaky_store()
    local b = assert(retry.budget { store = s, capacity = 10, cost = 5,
      refund = 1 })
    for _ = 1, 5 do b:success() end
    assert.equal(10, b:tokens())
    assert.equal(10, s.values["imerr:budget"])
    assert.equal(5, b:take())
    b:success(5)
    b:success(5)
    assert.equal(10, b:tokens())
    -- a refund larger than capacity is no refund of what was taken
    b:success(1e6)
    assert.equal(10, b:tokens())
  end)

  it("pays takes down to exactly 0 tokens, then refuses", function()
    local s = flaky_store()
    local b = assert(retry.budget { store = s, capacity = 10, cost = 5 })
    assert.equal(5, b:take())
    assert.equal(5, b:take())
    assert.equal(0, b:tokens())
    assert.is_nil(b:take())
    assert.equal(0, b:tokens())
  end)
end)
