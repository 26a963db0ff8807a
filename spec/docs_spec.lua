-- tools/check_docs.lua: the checker of the Lua API reference, on texts
-- written to pass and to fail it.
local docs = require "check_docs"

local GOOD = [[
--- A module.
local _M = {}

--- Adds.
-- @param a a number
-- @tparam number b another
-- @return the sum
function _M.add(a, b) return a + b end

--- Nothing to take.
function _M.none() end

local Thing = {}

--- A method.
-- @param x what
function Thing:go(x) return x end

--- Assigned.
-- @param s a string
_M.upper = function(s) return s:upper() end

local function square(y) return y * y end -- private: not checked

return _M
]]

describe("check_docs.check_text", function()
  it("passes documented functions, methods and assigned functions", function()
    assert.same({}, docs.check_text("good.lua", GOOD))
  end)

  it("fails a public function without an LDoc comment", function()
    local p = docs.check_text("m.lua", "local _M = {}\n-- plain comment\n" ..
      "function _M.f(a) end\n\nfunction _M.g() end\n")
    assert.same({ "m.lua:3: f has no LDoc comment (---)",
      "m.lua:5: g has no LDoc comment (---)" }, p)
  end)

  it("fails a parameter without @param or @tparam", function()
    local p = docs.check_text("m.lua", "--- F.\n-- @param a x\n" ..
      "function _M.f(a, b) end\n")
    assert.same({ "m.lua:3: f: no @param b" }, p)
  end)

  it("takes LDoc's typed shorthands and optional parameters", function()
    assert.same({}, docs.check_text("m.lua", "--- F.\n-- @tab spec x\n" ..
      "-- @string[opt] name y\n-- @param[opt] z w\nfunction _M.f(spec, name, z) end\n"))
  end)

  it("does not take one parameter's tag for another's", function()
    local p = docs.check_text("m.lua", "--- F.\n-- @param ab x\n" ..
      "function _M.f(a) end\n")
    assert.same({ "m.lua:3: f: no @param a" }, p)
  end)

  it("checks methods of a module's classes", function()
    local p = docs.check_text("m.lua", "local Rules = {}\n" ..
      "function Rules:observe(code, now) end\n")
    assert.same({ "m.lua:2: Rules:observe has no LDoc comment (---)" }, p)
  end)
end)

describe("check_docs.missing_in_html", function()
  it("lists the module's functions the page lacks", function()
    local mod = { a = function() end, b = function() end, c = 1, _VERSION = "x" }
    assert.same({ "b" }, docs.missing_in_html(mod, '<a name = "a"></a>'))
    assert.same({}, docs.missing_in_html(mod, '<a name = "a"></a><a name = "b">'))
  end)
end)

describe("check_docs.ldoc_problems", function()
  it("keeps LDoc's messages and drops its progress lines", function()
    local out = "reading configuration from config.ld\n" ..
      "lua/imerr/x.lua:3: definition cannot be parsed\n" ..
      "output written to build/doc\n"
    assert.same({ "lua/imerr/x.lua:3: definition cannot be parsed" },
      docs.ldoc_problems(out))
  end)

  it("sees a warning of the real ldoc", function()
    local pipe = io.popen("command -v ldoc")
    local ldoc = pipe:read("*l")
    pipe:close()
    if not ldoc then return pending("ldoc is not installed") end
    local dir = os.tmpname()
    os.remove(dir)
    os.execute("mkdir " .. dir)
    local f = assert(io.open(dir .. "/m.lua", "w"))
    f:write("--- M.\nlocal _M = {}\n--- Two at once.\n_M.a, _M.b = {}, {}\nreturn _M\n")
    f:close()
    -- Without a sanitizer runtime the tests may preload (its reports
    -- would be ldoc's output).
    pipe = io.popen("cd " .. dir .. " && env -u LD_PRELOAD ldoc -d out m.lua 2>&1")
    local out = pipe:read("*a")
    pipe:close()
    os.execute("rm -rf " .. dir)
    local p = docs.ldoc_problems(out)
    assert.equal(1, #p, out)
    assert.truthy(p[1]:find("m.lua:4:", 1, true), p[1])
  end)
end)
