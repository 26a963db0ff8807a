-- imerr._random: the 32-bit numbers rest.prepare fills de-duplication
-- keys with, from a generator of imerr's own, seeded per process (and per
-- nginx worker: spec/nginx/exactly_once_test.lua).
local random = require "imerr._random"

local math_type = rawget(math, "type")

-- The first n draws of a fresh process.
local function draws_of_a_process(n)
  local lua = os.getenv("IMERR_LUA") or "lua5.4"
  local cmd = ("%s -e 'package.path = %q; package.cpath = %q; " ..
    "local r = require \"imerr._random\"; for _ = 1, %d do print(r.u32()) end'")
    :format(lua, package.path, package.cpath, n)
  local p = assert(io.popen(cmd))
  local out = {}
  for line in p:lines() do out[#out + 1] = line end
  p:close()
  return out
end

describe("imerr._random", function()
  it("draws integers in [1, 2^32 - 1], spread over the range", function()
    local seen, high, low = {}, 0, 0
    for _ = 1, 20000 do
      local v = random.u32()
      assert.is_true(v >= 1 and v <= 2 ^ 32 - 1 and v % 1 == 0, tostring(v))
      if math_type then assert.equal("integer", math_type(v)) end
      seen[v] = true
      if v >= 2 ^ 31 then high = high + 1 else low = low + 1 end
    end
    local distinct = 0
    for _ in pairs(seen) do distinct = distinct + 1 end
    assert.is_true(distinct > 19990)
    assert.is_true(high > 9000 and low > 9000)
  end)

  it("owes nothing to math.random's state", function()
    math.randomseed(1)
    local a = random.u32()
    math.randomseed(1)
    assert.are_not.equal(a, random.u32())
  end)

  it("gives each process numbers of its own", function()
    local a, b = draws_of_a_process(5), draws_of_a_process(5)
    assert.equal(5, #a)
    assert.equal(5, #b)
    local in_a = {}
    for _, v in ipairs(a) do in_a[v] = true end
    for _, v in ipairs(b) do assert.is_nil(in_a[v], v) end
  end)
end)
