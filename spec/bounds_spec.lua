-- Exact boundaries: an alert window's edge, and a backoff cap below the
-- base. Each test sits on the edge, so moving it by one step fails.
local alert = require "imerr.alert"
local retry = require "imerr.retry"

describe("alert window boundary", function()
  local function rules(more_than, window)
    return assert(alert.rules {
      { name = "r", match = { code = 9510 }, more_than = more_than, window = window },
    })
  end

  it("counts a code exactly one window after the oldest as outside it", function()
    local r = rules(1, 10)
    assert.same({}, r:observe(9510, 100))
    assert.same({}, r:observe(9510, 110)) -- 110 - 100 = window: outside
  end)

  it("counts a code just inside the window", function()
    local r = rules(1, 10)
    assert.same({}, r:observe(9510, 100))
    assert.same({ "r" }, r:observe(9510, 109.999))
  end)

  it("fires on more_than + 1 codes in the window, not on more_than", function()
    local r = rules(3, 60)
    assert.same({}, r:observe(9510, 0))
    assert.same({}, r:observe(9510, 1))
    assert.same({}, r:observe(9510, 2))
    assert.same({ "r" }, r:observe(9510, 59.5))
    -- 0 has left (60.5 - 0 > 60): 1, 2, 59.5, 60.5 are four within it.
    assert.same({ "r" }, r:observe(9510, 60.5))
    -- At 62 the oldest of the last four is 2: 62 - 2 = 60, the edge.
    assert.same({}, r:observe(9510, 62))
  end)

  it("fires at once with more_than = 0, whatever the window", function()
    local r = rules(0, 0.001)
    assert.same({ "r" }, r:observe(9510, 5))
    assert.same({ "r" }, r:observe(9510, 1e9))
  end)

  it("ignores codes the rule does not match", function()
    local r = rules(0, 60)
    assert.same({}, r:observe(70001, 1))
  end)
end)

describe("policy cap below the base", function()
  local function policy(jitter, r, opts)
    local o = { base = 2, throttle_base = 4, cap = 0.5, jitter = jitter,
      max_attempts = 10, random = function() return r end }
    for k, v in pairs(opts or {}) do o[k] = v end
    return assert(retry.policy(o))
  end

  it("caps every attempt's ceiling at cap with no jitter", function()
    local p = policy("none", 0)
    for attempt = 1, 9 do assert.equal(0.5, p:next(9510, attempt)) end
  end)

  it("draws full and equal jitter below cap", function()
    assert.equal(0.5, policy("full", 1):next(9510, 1))
    assert.equal(0, policy("full", 0):next(9510, 1))
    assert.equal(0.25, policy("equal", 0):next(9510, 1))
    assert.equal(0.5, policy("equal", 1):next(9510, 1))
  end)

  it("keeps decorrelated jitter at cap, not at base, when cap < base", function()
    -- U(base, min(cap, base * 3^n)) is empty when cap < base: the cap wins.
    assert.equal(0.5, policy("decorrelated", 0):next(9510, 1))
    assert.equal(0.5, policy("decorrelated", 1):next(9510, 3))
  end)

  it("caps the throttling base too", function()
    -- 60007 asks to reduce the rate: throttle_base (4) applies, then cap.
    assert.equal(0.5, policy("none", 0):next(60007, 1))
  end)

  it("lets a code's documented minimum wait win over the cap", function()
    -- 9506: at most 5 requests a second, so 0.2 s at least.
    assert.equal(0.2, policy("none", 0, { cap = 0.1 }):next(9506, 1))
    assert.equal(0.2, policy("full", 0, { cap = 0.1 }):next(9506, 1))
  end)

  it("uses the base itself when cap equals it", function()
    assert.equal(2, policy("none", 0, { cap = 2 }):next(9510, 1))
    assert.equal(2, policy("none", 0, { cap = 2 }):next(9510, 4))
  end)
end)
