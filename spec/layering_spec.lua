-- imerr's Lua modules read top-down: each may require only modules below it
-- in ORDER (and only imerr._rows and imerr.api reach the C core). Every
-- file in lua/imerr/ must have its place here.
local ORDER = {
  "imerr._private", -- helpers: quoting, number checks, the clock
  "imerr._json",    -- the JSON imerr writes
  "imerr._rows",    -- the private tables decisions read, from imerr.core
  "imerr",          -- the rows callers get
  "imerr.hint",     -- hints of what has no row; classify
  "imerr.api",      -- the REST API catalogue, from imerr.core
  "imerr.store",    -- memory, shared dict and Redis stores
  "imerr.budget",   -- the retry budget
  "imerr.retry",    -- the retry policy
  "imerr.rest",     -- REST answers
  "imerr.ratelimit", -- the fleet rate limiter
  "imerr.callback", -- answers to Tencent's callbacks
  "imerr.matcher",  -- predicates over codes
  "imerr.alert",    -- alert rules
}

-- Requires of a module above, allowed only inside a function (loaded on
-- first call, never by require): module -> required -> why.
local LAZY = {
  imerr = { ["imerr.matcher"] = "imerr.matcher(spec) is a convenience" },
}

-- The modules that load imerr.core: the rows, and the catalogue.
local CORE = { ["imerr._rows"] = true, ["imerr.api"] = true }

local rank = {}
for i, name in ipairs(ORDER) do rank[name] = i end

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

-- Every `require "imerr..."` in a source text, any spelling, with the
-- line it is on.
local function requires(text)
  local found, lineno = {}, 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    lineno = lineno + 1
    local code = line:gsub("%-%-.*$", "")
    for name in code:gmatch("require%s*%(?%s*[\"']([%w_%.]+)[\"']") do
      if name == "imerr" or name:find("^imerr%.") then
        found[#found + 1] = { name = name, line = line, lineno = lineno }
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
        if r.name == "imerr.core" then
          assert.truthy(CORE[name], "only " .. "imerr._rows and imerr.api " ..
            "reach the core: " .. where)
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
      '-- require "imerr.alert"\nlocal d = require("cjson")\n')
    local names = {}
    for i, r in ipairs(found) do names[i] = r.name end
    assert.same({ "imerr.retry", "imerr.rest", "imerr" }, names)
  end)

  it("loads only modules below each one when it is required", function()
    -- Fresh copies of the modules, then the originals back: other specs
    -- keep the instances they hold.
    local saved = {}
    for k, v in pairs(package.loaded) do
      if k:find("^imerr") and k ~= "imerr.core" then saved[k] = v end
    end
    local ok, err = pcall(function()
      for _, name in ipairs(ORDER) do
        for k in pairs(saved) do package.loaded[k] = nil end
        for _, other in ipairs(ORDER) do package.loaded[other] = nil end
        require(name)
        for k in pairs(package.loaded) do
          if k:find("^imerr") and k ~= "imerr.core" and k ~= name then
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
