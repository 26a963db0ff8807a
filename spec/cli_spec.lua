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
    assert.equal(594, rows)
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
      ["web-sdk"] = 97 }
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
      "page-2020, page-2023, push-page, rest-docs, sdk-header, web-sdk)",
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
