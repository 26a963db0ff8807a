-- The retry budget (imerr.budget, also retry.budget) alone and under
-- policies.
local retry = require "imerr.retry"
local budget = require "imerr.budget"

describe("imerr.budget", function()
  it("is what retry.budget makes", function()
    assert.equal(budget.new, retry.budget)
    assert.is_true(budget.is_budget(retry.budget()))
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
      { store = {} }, { key = "" }, { store = retry.memory_store(),
      shared = retry.memory_store() } } do
      local b, err = retry.budget(opts)
      assert.is_nil(b)
      assert.is_string(err)
    end
  end)
end)
