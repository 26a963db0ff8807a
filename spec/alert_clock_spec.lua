-- imerr.alert when the clock steps back (NTP, a restored VM) or is not a
-- finite number.
local alert = require "imerr.alert"

local function rules(more_than, window)
  return assert(alert.rules { { name = "r", match = { class = "transient" },
    more_than = more_than, window = window } })
end

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
