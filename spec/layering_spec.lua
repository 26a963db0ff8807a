-- imerr's Lua modules read top-down: each may require only modules below it
-- in ORDER (and only imerr._rows, imerr._catalogue, imerr.api and
-- imerr._decode reach the C core; only
-- imerr.sig and callback.verify reach imerr.sig_core). Every file in
-- lua/imerr/ must have its place here.
local ORDER = {
  "imerr._private", -- helpers: quoting, number checks, the clock
  "imerr._app",     -- an SDKAppID as limiters key it; the over-limit alert
  "imerr._json",    -- the JSON imerr writes
  "imerr._random",  -- 32-bit random numbers of imerr's own generator
  "imerr._decode",  -- the JSON imerr reads, integers kept exact (imerr.core)
  "imerr._error",   -- the error tables that print
  "imerr._rows",    -- the private tables decisions read, from imerr.core
  "imerr",          -- the rows callers get
  "imerr._hint",    -- hints of what has no row; classify
  "imerr._catalogue", -- the REST API catalogue's private rows
  "imerr.api",      -- the REST API catalogue, from imerr.core
  "imerr._request", -- rest.prepare: request bodies sent alike on every attempt
  "imerr._limits",  -- the limiter's arithmetic and checks
  "imerr.store",    -- memory, shared dict and Redis stores
  "imerr._budget",  -- the retry budget
  "imerr.retry",    -- the retry policy
  "imerr._discover", -- answers read without a catalogue row
  "imerr.rest",     -- REST answers
  "imerr.ratelimit", -- the fleet rate limiter
  "imerr.sig",      -- UserSigs and callback signs (imerr.sig_core)
  "imerr._callback_verify", -- callback.verify (imerr.sig_core)
  "imerr.callback", -- answers to Tencent's callbacks
  "imerr._matcher", -- predicates over codes
  "imerr.alert",    -- alert rules
}

-- Requires of a module above, allowed only inside a function (loaded on
-- first call, never by require): module -> required -> why.
local LAZY = {
  imerr = { ["imerr._matcher"] = "imerr.matcher(spec) is a convenience" },
}


local rank = {}
for i, name in ipairs(ORDER) do rank[name] = i end

-- The C modules and the only modules that may require each. imerr.sig_core
-- is built only where OpenSSL and zlib are (IMERR_SIG_BUILT=OFF without).
local C_MODULES = {
  -- the rows, and the catalogue
  ["imerr.core"] = { ["imerr._rows"] = true, ["imerr._catalogue"] = true,
    ["imerr.api"] = true, ["imerr._decode"] = true },
  ["imerr.sig_core"] = { ["imerr.sig"] = true,
    ["imerr._callback_verify"] = true },
}
local SIG_BUILT = os.getenv("IMERR_SIG_BUILT") ~= "OFF"

local function file_of(name)
  if name == "imerr" then return "lua/imerr/init.lua" end
  return "lua/imerr/" .. name:match("^imerr%.(.+)$") .. ".lua"
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

-- Every `require "imerr..."` in a source text, any spelling (also
-- pcall(require, "...") and requires inside functions), with the line it
-- is on.
local SPELLINGS = { "require%s*%(?%s*[\"']([%w_%.]+)[\"']",
  "pcall%s*%(%s*require%s*,%s*[\"']([%w_%.]+)[\"']" }

local function requires(text)
  local found, lineno = {}, 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    lineno = lineno + 1
    local code = line:gsub("%-%-.*$", "")
    for _, spelling in ipairs(SPELLINGS) do
      for name in code:gmatch(spelling) do
        if name == "imerr" or name:find("^imerr%.") then
          found[#found + 1] = { name = name, line = line, lineno = lineno }
        end
      end
    end
  end
  return found
end

describe("module layering", function()
  it("places every file of lua/imerr in the order", function()
    local listing = assert(io.popen("ls lua/imerr"))
    local files = {}
    for file in listing:lines() do
      if file:find("%.lua$") then files[#files + 1] = file end
    end
    listing:close()
    assert.truthy(#files >= #ORDER)
    for _, file in ipairs(files) do
      local name = file == "init.lua" and "imerr" or
        "imerr." .. file:gsub("%.lua$", "")
      assert.truthy(rank[name], "lua/imerr/" .. file .. " has no place in ORDER")
    end
  end)

  for _, name in ipairs(ORDER) do
    it(name .. " requires nothing above it", function()
      for _, r in ipairs(requires(read(file_of(name)))) do
        local where = ("%s:%d: %s"):format(file_of(name), r.lineno, r.line)
        if C_MODULES[r.name] then
          assert.truthy(C_MODULES[r.name][name],
            "no module of this file may reach " .. r.name .. ": " .. where)
        else
          assert.truthy(rank[r.name], "unknown module " .. r.name .. " at " .. where)
          if rank[r.name] >= rank[name] then
            local lazy = LAZY[name] and LAZY[name][r.name]
            assert.truthy(lazy, "requires a module above it: " .. where)
            -- Inside a function: indented, never a top-level statement.
            assert.truthy(r.line:find("^%s+"), "not inside a function: " .. where)
          end
        end
      end
    end)
  end

  it("finds requires in every spelling (the check can fail)", function()
    local found = requires('local a = require "imerr.retry"\n' ..
      "local b = require('imerr.rest')\nlocal c = require 'imerr'\n" ..
      '-- require "imerr.alert"\nlocal d = require("cjson")\n' ..
      'local ok, e = pcall(require, "imerr.api")\n' ..
      'local function f() return require("imerr.store").memory() end\n')
    local names = {}
    for i, r in ipairs(found) do names[i] = r.name end
    assert.same({ "imerr.retry", "imerr.rest", "imerr", "imerr.api",
      "imerr.store" }, names)
  end)

  it("loads only modules below each one when it is required", function()
    -- Fresh copies of the modules, then the originals back: other specs
    -- keep the instances they hold.
    local saved = {}
    for k, v in pairs(package.loaded) do
      if k:find("^imerr") and not C_MODULES[k] then saved[k] = v end
    end
    local ok, err = pcall(function()
      for _, name in ipairs(ORDER) do
        for k in pairs(saved) do package.loaded[k] = nil end
        for _, other in ipairs(ORDER) do package.loaded[other] = nil end
        if name ~= "imerr.sig" or SIG_BUILT then require(name) end
        for k in pairs(package.loaded) do
          if k:find("^imerr") and not C_MODULES[k] and k ~= name then
            assert(rank[k] and rank[k] < rank[name],
              "require '" .. name .. "' loaded " .. k)
          end
        end
      end
    end)
    for _, other in ipairs(ORDER) do package.loaded[other] = nil end
    for k, v in pairs(saved) do package.loaded[k] = v end
    assert(ok, err)
  end)
end)
