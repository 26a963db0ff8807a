-- The imerr tool: lookups, --api, its output and errors, --rules.

do
-- The imerr command-line tool, run with this interpreter and these paths.
local unpack = table.unpack or unpack
local cli = require "cli_run"

-- Runs the CLI; returns stdout, stderr and the exit status.
local function run(...)
  return cli.run { ... }
end

describe("the imerr tool", function()
  it("prints rows for codes and names", function()
    local out, err, status = run("9510", "70001", "ERR_SDK_NOT_INITIALIZED")
    assert.equal(0, status)
    assert.equal("", err)
    assert.truthy(out:find("9510     ERR_SDK_NET_CONN_TIMEOUT  [sdk/network]\n" ..
      "         Network connection setup timed out.", 1, true))
    assert.truthy(out:find("70001    ERR_SVR_ACCOUNT_USERSIG_EXPIRED", 1, true))
    assert.truthy(out:find("6013     ERR_SDK_NOT_INITIALIZED", 1, true))
  end)

  it("shows what to do about each code", function()
    local out = run("9506", "70001")
    assert.truthy(out:find("-> transient, rate_limited: reduce_rate, wait " ..
      "at least 0.2 s (HTTP 429, warning)", 1, true))
    assert.truthy(out:find("-> fatal, auth: relogin (HTTP 401, warning)", 1,
      true))
  end)

  it("prints ranges, negative codes and unofficial names", function()
    local out, _, status = run("125000", " -302 ")
    assert.equal(0, status)
    assert.truthy(out:find("120001-130000 ERR_SVR_MSG_CALLBACK_APP_DEFINED " ..
      "(unofficial name)", 1, true))
    assert.truthy(out:find("-302     ERR_SVR_SSO_CONNECT_LIMIT", 1, true))
  end)

  it("exits 1 with a message for unknown codes, after the known ones", function()
    local out, err, status = run("6017", "99999", "NO_SUCH_NAME", "7e4")
    assert.equal(1, status)
    assert.truthy(out:find("6017", 1, true))
    assert.truthy(err:find("imerr: unknown code: 99999", 1, true))
    assert.truthy(err:find('imerr: unknown name: "NO_SUCH_NAME"', 1, true))
    assert.truthy(err:find('"7e4" is not a decimal integer', 1, true))
  end)

  it("searches messages and names, case-insensitively", function()
    local out, _, status = run("--search", "TIMEOUT")
    assert.equal(0, status)
    for _, code in ipairs { "9510", "70169", "7508", "-10007" } do
      assert.truthy(out:find("\n" .. code .. " ", 1, true) or
        out:find("^" .. code .. " "), code)
    end
    local _, err, none = run("--search", "no row says this")
    assert.equal(1, none)
    assert.truthy(err:find("no row matches", 1, true))
  end)

  -- The lines of out that hold needle, and the number of lines.
  local function lines_with(out, needle)
    local n, with = 0, 0
    for line in out:gmatch("[^\n]+") do
      n = n + 1
      if line:find(needle, 1, true) then with = with + 1 end
    end
    return with, n
  end

  it("lists rows filtered by part and section", function()
    local out, _, status = run("--list", "--part", "sdk_v3", "--json")
    assert.equal(0, status)
    local with, n = lines_with(out, '"part":"sdk_v3"')
    assert.equal(69, n)
    assert.equal(n, with)
    out = run("--list", "--part", "server", "--section", "sso")
    local codes = 0
    for _ in out:gmatch("ERR_SVR_SSO_") do codes = codes + 1 end
    assert.equal(15 + 10, codes)
    local all = run("--list", "--json")
    local rows = 0
    for _ in all:gmatch("[^\n]+") do rows = rows + 1 end
    assert.equal(600, rows)
  end)

  it("lists the push service's codes as a part of their own", function()
    for part, count in pairs { push = 9, push_sdk = 16, web_sdk = 94 } do
      local out, _, status = run("--list", "--part", part, "--json")
      assert.equal(0, status)
      local with, n = lines_with(out, ('"part":"%s"'):format(part))
      assert.equal(count, n, part)
      assert.equal(n, with, part)
    end
  end)

  it("lists rows filtered by source", function()
    local counts = { ["page-2020"] = 281, ["page-2023"] = 142,
      ["sdk-header"] = 29, ["rest-docs"] = 21, ["push-page"] = 24,
      ["web-sdk"] = 97, ["live-docs"] = 6 }
    for source, count in pairs(counts) do
      local out, err, status = run("--list", "--source", source, "--json")
      assert.equal(0, status, err)
      local with, n = lines_with(out, ('"source":"%s"'):format(source))
      assert.equal(count, n, source)
      assert.equal(n, with, source)
    end
    local out = run("--list", "--source", "page-2023", "--part", "push")
    local with, n = lines_with(out, "source: page-2023")
    assert.equal(9, with)
    assert.equal(9 * 4, n)
  end)

  it("calls an unknown source a usage error", function()
    local out, err, status = run("--list", "--source", "page-2021")
    assert.equal(2, status)
    assert.equal("", out)
    assert.truthy(err:find('imerr: unknown source "page-2021" (one of: ' ..
      "live-docs, page-2020, page-2023, push-page, rest-docs, sdk-header, " ..
      "web-sdk)",
      1, true), err)
    out, err, status = run("--source", "page-2020", "9510")
    assert.equal("", out)
    assert.equal(2, status)
    assert.truthy(err:find("go with --list", 1, true), err)
  end)

  it("shows each row's source, and what Tencent changed since", function()
    local out, _, status = run("9510", "8001", "2000")
    assert.equal(0, status)
    assert.truthy(out:find("(HTTP 504, warning)\n         source: page-2020\n" ..
      "8001 ", 1, true), out)
    assert.truthy(out:find("         source: page-2020\n         changed " ..
      "since: The limit is now 12 KB, not 8 KB.\n2000 ", 1, true), out)
    assert.truthy(out:find("2000     NO_SDKAPPID  [web_sdk/general]", 1, true))
    assert.equal("\n         source: web-sdk\n", out:sub(-26))
  end)

  it("writes valid JSON with escaped text", function()
    local out, _, status = run("--json", "-10001", "9004")
    assert.equal(0, status)
    local ok, cjson = pcall(require, "cjson")
    if not ok then return pending("cjson not installed") end
    local lines = {}
    for line in out:gmatch("[^\n]+") do lines[#lines + 1] = cjson.decode(line) end
    assert.equal(2, #lines)
    assert.equal(require("imerr").message(-10001), lines[1].message)
    assert.equal(require("imerr").message(9004), lines[2].message)
    assert.equal(true, lines[2].official)
    assert.equal(-10001, lines[1].code)
    assert.equal("relogin", lines[1].action)
    assert.equal(401, lines[1].http_status)
    assert.equal(0.2, cjson.decode((run("--json", "9506"))).min_delay)
    assert.equal("page-2020", lines[1].source)
    local changed = cjson.decode((run("--json", "8001")))
    assert.equal("The limit is now 12 KB, not 8 KB.", changed.change)
    assert.equal(cjson.null, lines[2].change)
  end)

  it("exits 2 on misuse", function()
    for _, args in ipairs {
      {}, { "--bogus" }, { "--search" }, { "--list", "9510" },
      { "--part", "sdk", "9510" },
    } do
      local _, err, status = run(unpack(args))
      assert.equal(2, status)
      assert.truthy(err:find("^imerr: "), err)
    end
  end)

  it("prints its version and help", function()
    local out, _, status = run("--version")
    assert.equal(0, status)
    assert.equal("imerr " .. require("imerr")._VERSION .. "\n", out)
    out, _, status = run("--help")
    assert.equal(0, status)
    assert.truthy(out:find("usage: imerr", 1, true))
  end)
end)
end

do
-- imerr --api: a REST API's row of the catalogue.
local cli = require "cli_run"

-- Runs the CLI; returns its stdout and stderr together, and the status.
local function run(...)
  local out, err, status = cli.run { ... }
  return out .. err, status
end

describe("imerr --api", function()
  it("shows whether a repeat is safe, the rate and the per-item lists", function()
    local out, status = run("--api", "/v4/openim/sendmsg")
    assert.equal(0, status)
    assert.truthy(out:find("v4/openim/sendmsg", 1, true), out)
    assert.truthy(out:find("NOT safe to repeat", 1, true), out)
    assert.truthy(out:find("rate: 200 calls/s", 1, true), out)
    assert.truthy(out:find("de-duplication: a resend of the same bytes is " ..
      "discarded within 120 s (key: From_Account MsgSeq MsgRandom, content;", 1,
      true), out)
    out = run("--api", "v4/sns/friend_import", "--api", "v4/profile/portrait_get")
    assert.truthy(out:find("ResultItem[].ResultCode@To_Account; Fail_Account[]", 1,
      true), out)
    assert.truthy(out:find("v4/profile/portrait_get", 1, true), out)
  end)

  it("says when a page states no rate, and the second limits", function()
    local out, status = run("--api", "v4/stream_msg/send_c2c_stream_msg",
      "--api", "v4/openim/batchsendmsg", "--api",
      "v4/group_open_http_svc/send_group_msg")
    assert.equal(0, status)
    assert.truthy(out:find("rate: not stated (continuation", 1, true), out)
    assert.is_nil(out:find("nil", 1, true), out)
    assert.truthy(out:find("also: 200 recipients/s", 1, true), out)
    assert.truthy(out:find("also: 40 messages/s per group", 1, true), out)
    out = run("--json", "--api", "v4/openim/batchsendmsg")
    assert.equal(200, require("cjson").decode(out).recipient_rate)
  end)

  it("writes one JSON object per API", function()
    local out, status = run("--json", "--api", "v4/all_member_push/im_push")
    assert.equal(0, status)
    local row = require("cjson").decode(out)
    assert.equal("v4/all_member_push/im_push", row.path)
    assert.is_false(row.idempotent)
    assert.equal(1, row.rate)
    assert.truthy(row.codes:find("90047", 1, true))
    assert.equal(require("cjson").null, row.dedupe)
    row = require("cjson").decode((run("--json", "--api", "v4/openim/importmsg")))
    assert.truthy(row.dedupe:find("discarded at any time (key: MsgSeq MsgRandom " ..
      "MsgTimeStamp;", 1, true), row.dedupe)
  end)

  it("exits 1 for an unknown API and 2 when mixed with codes", function()
    local out, status = run("--api", "v4/no/such")
    assert.equal(1, status)
    assert.truthy(out:find("unknown api", 1, true), out)
    local _
    _, status = run("--api", "v4/openim/sendmsg", "70001")
    assert.equal(2, status)
    _, status = run("--api")
    assert.equal(2, status)
  end)
end)
end

do
-- The imerr tool when its output is lost, its newer argument forms, and
-- its installed wrapper under a version-specific LUA_PATH.
local cli = require "cli_run"
local LUA = cli.LUA
local slurp, shell, run = cli.slurp, cli.shell, cli.run

describe("the imerr tool's output", function()
  it("exits 1 with a message when stdout is full", function()
    for _, args in ipairs { { "--list" }, { "9510" }, { "--version" },
      { "--json", "--search", "timeout" } } do
      local _, err, status = run(args, ">/dev/full")
      assert.equal(1, status, args[1])
      assert.truthy(err:find("^imerr: cannot write output: "), err)
    end
  end)

  it("exits 1 with a message when stdout is closed", function()
    local _, err, status = run({ "9510" }, ">&-")
    assert.equal(1, status)
    assert.truthy(err:find("^imerr: cannot write output: "), err)
  end)

  it("writes messages about input as one line", function()
    local _, err, status = run { "NO\nSUCH\\NAME\r" }
    assert.equal(1, status)
    local first = err:match("^[^\n]*\n")
    assert.equal(err, first)
    assert.truthy(err:find("NO\\nSUCH", 1, true), err)
  end)
end)

describe("the imerr tool's arguments", function()
  it("takes what follows -- as codes, even with a dash", function()
    local out, err, status = run { "--", "-302", "--json" }
    assert.equal(1, status)
    assert.truthy(out:find("-302     ERR_SVR_SSO_CONNECT_LIMIT", 1, true))
    assert.truthy(err:find('unknown name: "--json"', 1, true), err)
  end)

  it("accepts --option=value", function()
    local out, _, status = run { "--list", "--part=sdk_v3", "--json" }
    assert.equal(0, status)
    local n = 0
    for line in out:gmatch("[^\n]+") do
      n = n + 1
      assert.truthy(line:find('"part":"sdk_v3"', 1, true))
    end
    assert.equal(69, n)
    out, _, status = run { "--search=TIMEOUT" }
    assert.equal(0, status)
    assert.truthy(out:find("9510", 1, true))
    out, _, status = run { "--list", "--part=server", "--section=sso" }
    assert.equal(0, status)
    assert.truthy(out:find("ERR_SVR_SSO_", 1, true))
  end)

  it("exits 2 on an unknown part or section, or a value where none goes", function()
    for _, args in ipairs {
      { "--list", "--part", "bogus" }, { "--list", "--section=nowhere" },
      { "--json=yes", "9510" }, { "--list=1" }, { "--search=" .. "x", "--part=sdk" },
    } do
      local _, err, status = run(args)
      assert.equal(2, status, table.concat(args, " "))
      assert.truthy(err:find("^imerr: "), err)
    end
    local _, err = run { "--list", "--part", "bogus" }
    assert.truthy(err:find('unknown part "bogus"', 1, true), err)
  end)

  it("calls --opt=VALUE an unknown option unless opt is known", function()
    local _, err, status = run { "--nope=1" }
    assert.equal(2, status)
    assert.truthy(err:find('^imerr: unknown option "%-%-nope"\n'), err)
    for _, flag in ipairs { "--json", "--list", "--help", "--version" } do
      _, err, status = run { flag .. "=1" }
      assert.equal(2, status, flag)
      assert.equal("imerr: " .. flag .. " takes no value\n", err)
    end
  end)

  it("echoes what the user typed quoted, on one line", function()
    -- Each case: the arguments, and the first line of the message.
    for _, case in ipairs {
      { { "--x\ny=1" }, 'imerr: unknown option "--x\\ny"' },
      { { "--x\ny" }, 'imerr: unknown option "--x\\ny"' },
      -- (how a control byte is escaped depends on the Lua version)
      { { "--\r\27[2J" }, 'imerr: unknown option "--\\' },
      { { "--list", "--part", "a\nb" }, 'imerr: unknown part "a\\nb" (one of: ' },
      { { "--list", "--section=a\nb" }, 'imerr: unknown section "a\\nb" (one of: ' },
      { { "--list", "--source", "a\nb" }, 'imerr: unknown source "a\\nb" (one of: ' },
    } do
      local out, err, status = run(case[1])
      assert.equal(2, status, case[2])
      assert.equal("", out)
      local first = err:match("^[^\n]*")
      assert.is_nil(first:find("%c"), first)
      assert.equal(case[2], first:sub(1, #case[2]))
      -- The whole message is the first line, or the first line and the usage.
      assert.truthy(err == first .. "\n" or err:find("^[^\n]*\nusage: "), err)
    end
    -- Long texts are cut.
    local _, err = run { "--" .. ("x"):rep(5000) }
    assert.truthy(#err < 2000, #err)
    assert.truthy(err:find('"...\n', 1, true), err:sub(1, 200))
  end)

  it("exits 2 when an option is given twice, rather than keep the last", function()
    for _, args in ipairs { { "--list", "--part", "sdk", "--part=server" },
      { "--search", "a", "--search", "b" } } do
      local out, err, status = run(args)
      assert.equal(2, status, table.concat(args, " "))
      assert.equal("", out)
      assert.truthy(err:find("given twice", 1, true), err)
    end
  end)
end)

-- The directory of the first cpath entry that holds imerr/core.so.
local function core_dir()
  for template in package.cpath:gmatch("[^;]+") do
    local name = template:gsub("%?", "imerr/core")
    local f = io.open(name)
    if f then
      f:close()
      return (template:gsub("/%?%.so$", ""))
    end
  end
end

describe("the imerr wrapper (bin/imerr.sh.in)", function()
  it("finds its modules when LUA_PATH_5_x and LUA_CPATH_5_x point elsewhere", function()
    local cdir = core_dir()
    if not cdir then return pending("imerr.core not on package.cpath") end
    local pwd = io.popen("pwd"):read("*l")
    if not cdir:find("^/") then cdir = pwd .. "/" .. cdir end
    local text = slurp("bin/imerr.sh.in")
    local lua = io.popen("command -v " .. LUA):read("*l")
    local values = { IMERR_CLI_PATH = pwd .. "/lua", IMERR_CLI_CPATH = cdir,
      IMERR_CLI_LUA = lua, IMERR_CLI_SCRIPT = pwd .. "/bin/imerr" }
    text = text:gsub("@([%w_]+)@", function(k) return assert(values[k], k) end)
    local wrapper = os.tmpname()
    local f = assert(io.open(wrapper, "w"))
    f:write(text)
    f:close()
    local junk = "/nonexistent/?.lua"
    local env = ("LUA_PATH=%s LUA_PATH_5_4=%s LUA_PATH_5_3=%s LUA_CPATH=%s " ..
      "LUA_CPATH_5_4=%s LUA_CPATH_5_3=%s"):format(junk, junk, junk,
      "/nonexistent/?.so", "/nonexistent/?.so", "/nonexistent/?.so")
    local out, err, status = shell(("cd / && env %s sh %s 9510"):format(env, wrapper))
    os.remove(wrapper)
    assert.equal(0, status, err)
    assert.truthy(out:find("ERR_SDK_NET_CONN_TIMEOUT", 1, true))
  end)
end)
end

do
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
end
