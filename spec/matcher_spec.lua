local imerr = require "imerr"

describe("imerr.matcher", function()
  it("matches every field given", function()
    local m = assert(imerr.matcher { class = "transient",
      reason = "rate_limited", section = "group" })
    assert.is_true(m(10006))
    assert.is_true(m("10023"))
    assert.is_false(m(60007))   -- rate limited, but common
    assert.is_false(m(10002))   -- group, but a server error
  end)

  it("accepts lists of values and codes", function()
    local m = imerr.matcher { severity = { "critical", "warning" },
      part = "server" }
    assert.is_true(m(70009))
    assert.is_false(m(30539))
    local codes = imerr.matcher { code = { 70001, "-302" } }
    assert.is_true(codes(70001))
    assert.is_true(codes(-302))
    assert.is_true(codes(" -302 "))
    assert.is_false(codes(9510))
    local inside = imerr.matcher { code = 125000 }
    assert.is_true(inside(125000))
    assert.is_false(inside(120001))
  end)

  it("treats unknown codes as reason unknown, and junk as no match", function()
    local m = imerr.matcher { reason = "unknown" }
    assert.is_true(m(99999))
    assert.is_false(m(9510))
    assert.is_false(m({}))
    assert.is_false(m(nil))
    assert.is_false(imerr.matcher { section = "sso" }(99999))
  end)

  it("counts the codes of the same kind as the page", function()
    local critical, n = imerr.matcher { severity = "critical" }, 0
    for code in imerr.entries() do
      if critical(code) then n = n + 1 end
    end
    assert.equal(45, n)
  end)

  it("rejects bad specs", function()
    for _, spec in ipairs { "x", { colour = "red" }, { reason = {} },
      { code = "abc" }, { class = { {} } }, { http_status = 0 / 0 } } do
      local m, err = imerr.matcher(spec)
      assert.is_nil(m)
      assert.is_string(err)
    end
  end)

  it("rejects values no code has, so a rule cannot silently never fire", function()
    for spec, why in pairs {
      [{ reason = "rate_limted" }] = 'reason has no value "rate_limted"',
      [{ severity = "crit" }] = 'severity has no value "crit"',
      [{ http_status = "429" }] = 'http_status has no value "429"',
      [{ official = "true" }] = 'official has no value "true"',
      [{ action = { "retry", "retyr" } }] = 'action has no value "retyr"',
      [{ name = "ERR_NOPE" }] = 'no code is named "ERR_NOPE"',
    } do
      local m, err = imerr.matcher(spec)
      assert.is_nil(m)
      assert.truthy(err:find(why, 1, true), err)
    end
    assert.is_function(imerr.matcher { reason = "unknown", http_status = 429,
      official = false, name = "ERR_SVR_COMM_REST_FREQ_LIMIT" })
  end)
end)

describe("imerr.matcher given NaN", function()
  it("refuses it in any field, in a list too, and never raises", function()
    local nan = 0 / 0
    for _, field in ipairs { "code", "name", "official", "part", "section",
      "class", "reason", "action", "severity", "http_status" } do
      for _, value in ipairs { nan, { nan }, { "x", nan } } do
        local ok, m, err = pcall(imerr.matcher, { [field] = value })
        assert.is_true(ok, field .. ": " .. tostring(m))
        assert.is_nil(m, field)
        assert.is_string(err, field)
      end
    end
  end)

  it("names what is wrong", function()
    local m, err = imerr.matcher { part = 0 / 0 }
    assert.is_nil(m)
    assert.equal("matcher part values must be strings, numbers or booleans",
      err)
  end)
end)
