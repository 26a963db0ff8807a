-- imerr --rules prometheus: the rules file written from the
-- classification, and the copy checked in beside the OpenResty example.
local cli = require "cli_run"
local imerr = require "imerr"

local RULES = "examples/prometheus/imerr-rules.yml"

local function run(...)
  return cli.run { ... }
end

-- The alerts of a rules file: a list of { alert, expr, for, severity,
-- summary, description, runbook_url }, read line by line (the file is
-- written in one fixed shape).
local function alerts(text)
  local list, cur = {}, nil
  for line in text:gmatch("[^\n]+") do
    local name = line:match("^      %- alert: (%S+)$")
    if name then
      cur = { alert = name }
      list[#list + 1] = cur
    elseif cur then
      local key, value = line:match("^%s+([%w_]+): (.*)$")
      if key then
        cur[key] = value:match("^'(.*)'$") and
          value:match("^'(.*)'$"):gsub("''", "'") or value
      end
    end
  end
  return list
end

describe("imerr --rules prometheus", function()
  it("writes the rules file checked in as " .. RULES, function()
    local out, err, status = run("--rules", "prometheus")
    assert.equal("", err)
    assert.equal(0, status)
    assert.equal(cli.slurp(RULES), out, RULES .. " is stale: " ..
      "build/imerr --rules prometheus > " .. RULES)
  end)

  it("gives every alert an expression, for, a severity and annotations",
    function()
      local list = alerts(cli.slurp(RULES))
      assert.truthy(#list >= 7)
      local docs = cli.slurp("docs/operators.md")
      for _, a in ipairs(list) do
        assert.truthy(a.expr:find("imerr_[%w_]+_total"), a.alert)
        assert.truthy(a["for"]:find("^%d+m$"), a.alert)
        assert.truthy(({ critical = true, warning = true,
          info = true })[a.severity], a.alert)
        assert.truthy(#a.summary > 10, a.alert)
        assert.truthy(#a.description > 10, a.alert)
        -- Its section in docs/operators.md.
        local anchor = a.runbook_url:match("^docs/operators%.md#(.+)$")
        assert.equal(a.alert:lower(), anchor)
        assert.truthy(docs:find("\n### " .. a.alert .. "\n", 1, true),
          "docs/operators.md has no section ### " .. a.alert)
      end
    end)

  it("takes each alert's severity and codes from the classification",
    function()
      local by = {}
      for _, a in ipairs(alerts(cli.slurp(RULES))) do by[a.alert] = a end
      local groups = { ImerrAuthFailures = "auth",
        ImerrThrottledByTencent = "rate_limited",
        ImerrConfigurationError = "config", ImerrQuotaExhausted = "quota" }
      for name, reason in pairs(groups) do
        local a = assert(by[name], name)
        assert.equal(imerr.reasons[reason].severity, a.severity, name)
        assert.truthy(a.expr:find('reason="' .. reason .. '"', 1, true))
        for _, row in imerr.entries() do
          if row.part == "server" and row.hint.reason == reason and
            row.code == row.last then
            assert.truthy(a.description:find("[ :]" .. row.code .. "[,.]"),
              name .. " does not name " .. row.code)
          end
        end
      end
      -- the groups the issue names, each with an alert
      for _, name in ipairs { "ImerrTencentServerErrors",
        "ImerrCallbackSignatureRefused", "ImerrRetryBudgetExhausted" } do
        assert.truthy(by[name], name)
      end
      assert.truthy(by.ImerrConfigurationError.description:find("70016", 1,
        true)) -- a wrong data center (region)
      assert.equal("critical", by.ImerrQuotaExhausted.severity)
    end)

  it("writes the users' own metric names with --metric-prefix", function()
    local out, _, status = run("--rules=prometheus", "--metric-prefix",
      "im_proxy")
    assert.equal(0, status)
    local list = alerts(out)
    for _, a in ipairs(list) do
      assert.falsy(a.expr:find("imerr_", 1, true), a.expr)
      assert.truthy(a.expr:find("im_proxy_[%w_]+_total"), a.expr)
    end
    assert.equal(#alerts(cli.slurp(RULES)), #list)
  end)

  it("links the runbooks where --runbook-url says", function()
    local out = run("--rules", "prometheus", "--runbook-url",
      "https://wiki.example/imerr/operators.md")
    for _, a in ipairs(alerts(out)) do
      assert.equal("https://wiki.example/imerr/operators.md#" ..
        a.alert:lower(), a.runbook_url)
    end
  end)

  it("refuses what it cannot write, with exit status 2", function()
    local cases = {
      { { "--rules", "yaml" }, "unknown rules format" },
      { { "--rules", "prometheus", "--metric-prefix", "9bad" },
        "no metric name prefix" },
      { { "--rules", "prometheus", "--metric-prefix", 'a"b' },
        "no metric name prefix" },
      { { "--rules", "prometheus", "--runbook-url", "x'y" }, "must be a URL" },
      { { "--rules", "prometheus", "--runbook-url", "u#frag" },
        "must be a URL" },
      { { "--metric-prefix", "x", "70001" }, "go with --rules" },
      { { "--rules", "prometheus", "--json" }, "does not go with --rules" },
      { { "--rules", "prometheus", "70001" }, "give codes or names" },
      { { "--rules", "prometheus", "--rules", "prometheus" }, "given twice" },
    }
    for _, c in ipairs(cases) do
      local out, err, status = cli.run(c[1])
      assert.equal(2, status, table.concat(c[1], " "))
      assert.equal("", out)
      assert.truthy(err:find(c[2], 1, true), err)
    end
  end)
end)
