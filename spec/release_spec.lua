-- The release says one thing everywhere: tools/check_release.lua over the
-- source tree (version of src/imerr.h against the rockspec, CHANGELOG.md,
-- the man page and the README; every rockspec's modules against
-- lua/imerr/), and over texts made wrong on purpose, so each check is
-- seen to fail.
local check = require "check_release"

local function read(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

local function lua_files()
  local out = {}
  local pipe = io.popen("ls -1 lua/imerr")
  for name in pipe:lines() do
    if name:match("%.lua$") then out[#out + 1] = name end
  end
  pipe:close()
  table.sort(out)
  return out
end

local VERSION = check.header_version(read("src/imerr.h"))
local RELEASE = "imerr-" .. tostring(VERSION) .. "-1.rockspec"

describe("the release", function()
  it("has one version, X.Y.Z, in src/imerr.h", function()
    assert.matches("^%d+%.%d+%.%d+$", VERSION)
  end)

  it("agrees with itself everywhere", function()
    local problems, v = check.check(".")
    assert.same({}, problems)
    assert.equal(VERSION, v)
  end)

  it("is the version imerr reports", function()
    assert.equal(VERSION, require("imerr")._VERSION)
  end)

  for _, file in ipairs { RELEASE, "imerr-scm-1.rockspec" } do
    it("installs every file of lua/imerr/ with " .. file, function()
      local spec = assert(check.load_rockspec(read("rockspecs/" .. file), file))
      local modules, want = check.lua_modules(spec), {}
      for _, f in ipairs(lua_files()) do
        want["imerr." .. f:gsub("%.lua$", "")] = "lua/imerr/" .. f
      end
      assert.same(want, modules)
      assert.equal("bin/imerr", spec.build.install.bin.imerr)
    end)
  end

  it("builds imerr.core from C sources alone in the release rockspec", function()
    local spec = check.load_rockspec(read("rockspecs/" .. RELEASE), RELEASE)
    assert.equal("builtin", spec.build.type)
    local core = spec.build.modules["imerr.core"]
    -- imerr_lua.c includes imerr.c and the catalogue, src/imerr_apis.inc.
    assert.same({ "src/imerr_lua.c" }, core.sources)
    assert.same({ "IMERR_EMBED" }, core.defines)
    -- The table it compiles is checked in.
    assert.truthy(read("src/imerr_rows.inc"):find("imerr_rows%["))
    assert.truthy(read("src/imerr_apis.inc"):find("imerr_apis_rows%["))
  end)
end)

describe("check_release", function()
  local spec = { version = "1.2.3-1", source = { url = "imerr-1.2.3.tar.gz",
    dir = "imerr-1.2.3" }, build = { type = "builtin",
    modules = { ["imerr.core"] = {}, ["imerr.init"] = "lua/imerr/init.lua" },
    install = { bin = { imerr = "bin/imerr" } } } }

  it("finds nothing wrong in a consistent release", function()
    assert.same({}, check.rockspec_problems("imerr-1.2.3-1.rockspec", spec, "1.2.3"))
    assert.same({}, check.module_problems("x", spec, { "init.lua" }))
    assert.same({}, check.text_problems("1.2.3", "# C\n\n## 1.2.3\n",
      '.\\" x\n.TH IMERR 1 "d" "imerr 1.2.3"\n', "imerr._VERSION --> 1.2.3\n"))
  end)

  it("finds a module file the rockspec forgot", function()
    local p = check.module_problems("x", spec, { "init.lua", "store.lua" })
    assert.same({ "x: lua/imerr/store.lua is not listed" }, p)
  end)

  it("finds a module listed under another name or path", function()
    local bad = { build = { install = { bin = { imerr = "bin/imerr" } },
      modules = { ["imerr.retry"] = "lua/imerr/init.lua" } } }
    assert.equal(2, #check.module_problems("x", bad, { "init.lua" }))
  end)

  it("finds a rockspec whose version or source differ", function()
    -- version, source.url and source.dir say 1.2.3
    assert.equal(3, #check.rockspec_problems("imerr-1.2.4-1.rockspec", spec, "1.2.4"))
    assert.same({ "imerr-1.2.4-1.rockspec: file name is not imerr-1.2.3-N.rockspec" },
      check.rockspec_problems("imerr-1.2.4-1.rockspec", spec, "1.2.3"))
    assert.equal(1, #check.rockspec_problems("imerr-1.2.3-1.rockspec",
      { version = "1.2.3-1", source = { url = "imerr-1.2.2.tar.gz",
        dir = "imerr-1.2.3" } }, "1.2.3"))
  end)

  it("finds a stale CHANGELOG, man page or README", function()
    local p = check.text_problems("1.2.3", "## 1.2.2\n\n## 1.2.3\n",
      '\n.TH IMERR 1 "d" "imerr 1.2.2"\n', "imerr._VERSION --> 1.2.2\n")
    assert.equal(3, #p)
  end)

  it("finds a README naming another release's files", function()
    local p = check.text_problems("1.2.3", "## 1.2.3\n", '.TH X 1 "d" "imerr 1.2.3"\n',
      "luarocks make rockspecs/imerr-1.2.3-1.rockspec\nbuild dist/imerr-1.2.2-1.src.rock\n")
    assert.same({ "README.md: says 1.2.2: build dist/imerr-1.2.2-1.src.rock" }, p)
  end)

  it("reads the version only from the #define line", function()
    assert.equal("4.5.6", check.header_version('/* 1.0.0 */\n#define IMERR_VERSION "4.5.6"\n'))
    assert.is_nil(check.header_version('\n#define IMERR_VERSION "4.5"\n'))
  end)
end)
