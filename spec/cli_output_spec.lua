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
