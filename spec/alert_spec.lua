-- imerr.alert: rules over a stream of codes; what they refuse; a clock
-- that steps back (NTP, a restored VM) or is not a finite number.
local alert = require "imerr.alert"

local function rules(more_than, window)
  return assert(alert.rules { { name = "r", match = { class = "transient" },
    more_than = more_than, window = window } })
end

describe("imerr.alert", function()
  it("fires on any critical code and on bursts of rate limits", function()
    local set = assert(alert.rules {
      { name = "critical", match = { severity = "critical" } },
      { name = "throttled", match = { reason = "rate_limited" },
        more_than = 3, window = 60 },
    })
    assert.same({ "critical" }, set:observe(70009, 0))
    assert.same({}, set:observe(9510, 1))
    for t = 1, 3 do assert.same({}, set:observe(60007, t)) end
    assert.same({ "throttled" }, set:observe(60007, 4))
    assert.same({}, set:observe(60007, 100)) -- the burst is old now
  end)

  it("takes predicates as rules and rejects bad rules", function()
    local set = assert(alert.rules {
      { name = "odd", match = function(code) return code % 2 == 1 end },
    })
    assert.same({ "odd" }, set:observe(9511, 0))
    for _, list in ipairs { "x", { "x" }, { { match = {} } },
      { { name = "a", match = 1 } }, { { name = "a", match = {}, window = 0 } },
      { { name = "a", match = { colour = 1 } } },
      { { name = "a", match = {}, more_than = -1 } } } do
      local r, err = alert.rules(list)
      assert.is_nil(r)
      assert.is_string(err)
    end
  end)

  it("refuses a misspelt option, naming it", function()
    local r, err = alert.rules {
      { name = "many", match = { reason = "rate_limited" }, more_then = 100 },
    }
    assert.is_nil(r)
    assert.matches('unknown option "more_then"', err, 1, true)
  end)

  it("loads the example rules file", function()
    local set = assert(alert.rules(dofile("examples/alert_rules.lua")))
    assert.same({ "page_on_critical" }, set:observe(70009, 0))
  end)
end)

describe("imerr.alert with a clock that steps back", function()
  it("drops observations newer than now", function()
    -- more than 2 within 10 s
    local r = rules(2, 10)
    assert.same({}, r:observe(9510, 1000))
    assert.same({}, r:observe(9510, 1001))
    -- The clock steps back an hour: the two above are in its future.
    assert.same({}, r:observe(9510, 1000 - 3600))
    assert.same({}, r:observe(9510, 1001 - 3600))
    assert.same({ "r" }, r:observe(9510, 1002 - 3600))
  end)

  it("does not fire on codes outside its window after a step back", function()
    -- more than 1 within 5 s
    local r = rules(1, 5)
    assert.same({}, r:observe(9510, 100))
    assert.same({}, r:observe(9510, 200))
    -- Back to 150: 200 is dropped; 100 is 50 s old, outside the window.
    assert.same({}, r:observe(9510, 150))
    assert.same({ "r" }, r:observe(9510, 152))
  end)

  it("keeps the observations up to now, in order, when time steps back a little", function()
    local r = rules(2, 10)
    assert.same({}, r:observe(9510, 10))
    assert.same({}, r:observe(9510, 11))
    assert.same({}, r:observe(9510, 30))
    -- Back to 12: 30 goes, 10 and 11 stay: three within 10 s.
    assert.same({ "r" }, r:observe(9510, 12))
  end)

  it("fires for single-code rules whatever the clock does", function()
    local r = rules(0, 60)
    assert.same({ "r" }, r:observe(9510, 100))
    assert.same({ "r" }, r:observe(9510, 50))
    assert.same({}, r:observe(0, 50))
  end)
end)

describe("imerr.alert with times that are not finite", function()
  it("refuses infinities and NaN, and keeps counting after them", function()
    local r = rules(1, 10)
    for _, now in ipairs { math.huge, -math.huge, 0 / 0 } do
      local fired, err = r:observe(9510, now)
      assert.is_nil(fired)
      assert.truthy(err:find("finite", 1, true))
    end
    assert.same({}, r:observe(9510, 1))
    assert.same({ "r" }, r:observe(9510, 2))
  end)
end)

describe("imerr.alert when the clock steps back to an observation's time", function()
  it("keeps an observation made at exactly the time the clock is back at", function()
    -- more than 1 within 60 s
    local r = rules(1, 60)
    assert.same({}, r:observe(9510, 10))
    assert.same({ "r" }, r:observe(9510, 20))
    -- Back to 10: 20 is dropped, the observation at 10 stays: two in the
    -- window with this one.
    assert.same({ "r" }, r:observe(9510, 10))
  end)

  it("drops what lies ahead of a clock stepped back by half a second", function()
    local r = rules(1, 60)
    assert.same({}, r:observe(9510, 100))
    -- 99.5: the observation at 100 has not happened yet
    assert.same({}, r:observe(9510, 99.5))
    assert.same({ "r" }, r:observe(9510, 99.6))
  end)
end)
