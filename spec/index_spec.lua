-- The perfect hash behind imerr_find (tools/imerr_index.lua), built for the
-- real codes and for larger random sets, checked by the same arithmetic the
-- C code does; spec/c/test_index.c checks the C side on 600 rows.
package.path = "tools/?.lua;" .. package.path
local index = require "imerr_index"
local data = require "imerr_data"

describe("the code index", function()
  -- A deterministic generator, so a failure can be replayed.
  local function generator(seed)
    local x = seed
    return function(n)
      x = (index.mul32(x, 1664525) + 1013904223) % 4294967296
      return math.floor(x / 4294967296 * n)
    end
  end

  -- n distinct codes: anywhere in the 32-bit range and clustered.
  local function random_codes(n, seed)
    local random, codes, seen = generator(seed), {}, {}
    while #codes < n do
      local code = #codes % 2 == 0 and random(4294967296) - 2147483648 or
        random(200000) - 20000
      if not seen[code] then seen[code], codes[#codes + 1] = true, code end
    end
    return codes
  end

  -- Every code finds its own row; codes around them find nothing.
  local function check(codes)
    local idx = assert(index.build(codes))
    local member = {}
    for i, code in ipairs(codes) do
      member[code] = true
      assert.equal(i - 1, index.find(idx, codes, code), "code " .. code)
    end
    for _, code in ipairs(codes) do
      for _, near in ipairs { code - 1, code + 1, code + 65536, -code } do
        if not member[near] then
          assert.is_nil(index.find(idx, codes, near), "code " .. near)
        end
      end
    end
    return idx
  end

  it("covers every real code with at most two slots per code", function()
    local rows = assert(data.load("data"))
    local codes = {}
    for i, r in ipairs(rows) do codes[i] = r.code end
    local idx = check(codes)
    assert.truthy(2 ^ idx.slot_bits <= 4 * #codes)
  end)

  for _, n in ipairs { 600, 1000, 5000 } do
    it("builds for " .. n .. " random codes", function()
      for seed = 1, 3 do check(random_codes(n, seed)) end
    end)
  end

  it("gives the same slots under every Lua (exact 32-bit products)", function()
    assert.equal(0, index.mul32(0, index.HASH_MUL))
    assert.equal(4294967295, index.mul32(4294967295, 1))
    -- (2^32 - 1)^2 mod 2^32 = 1
    assert.equal(1, index.mul32(4294967295, 4294967295))
    assert.equal(2654435769 * 3 % 4294967296, index.mul32(3, index.HASH_MUL))
  end)

  it("refuses what it cannot hash, with a message", function()
    local idx, err = index.build { 1, 2, 1 }
    assert.is_nil(idx)
    assert.matches("code 1 appears twice", err)
    idx, err = index.build({}, nil)
    assert.is_nil(idx)
    assert.matches("no rows", err)
    -- 600 codes cannot fit in 2^9 slots.
    idx, err = index.build(random_codes(600, 1), { max_slot_bits = 9 })
    assert.is_nil(idx)
    assert.matches("no perfect hash of 600 codes within 2%^9 slots", err)
    local text
    text, err = index.render({ { code = 5, last = 5 }, { code = 5, last = 5 } })
    assert.is_nil(text)
    assert.matches("appears twice", err)
  end)

  it("renders the constants imerr.c reads, and the ranges", function()
    local text = assert(index.render { { code = -302, last = -302 },
      { code = 70001, last = 70001 }, { code = 120001, last = 130000 } })
    for _, name in ipairs { "IMERR_HASH_MUL", "IMERR_SLOT_MUL",
      "IMERR_BUCKET_SHIFT", "IMERR_SLOT_SHIFT", "imerr_disp", "imerr_slots" } do
      assert.matches(name, text, 1, true)
    end
    assert.matches("#define IMERR_RANGE_COUNT 1", text, 1, true)
    assert.matches("imerr_ranges%[1%] = {\n  2,\n}", text)
  end)
end)

describe("tools/gen_table.lua", function()
  -- Once, under Lua 5.4 (the generator's output is the same under every Lua).
  local it54 = _VERSION == "Lua 5.4" and not rawget(_G, "jit") and it or pending

  it54("fails, saying why, when the hash cannot be built", function()
    local out = os.tmpname()
    -- More rows than the index's unsigned shorts can number.
    local pipe = assert(io.popen(("lua5.4 tools/gen_table.lua data %s " ..
      "--synthetic 65000 1 2>&1; echo \"exit $?\""):format(out)))
    local text = pipe:read("*a")
    pipe:close()
    os.remove(out)
    assert.matches("gen_table: %d+ rows: more than 65535", text)
    assert.matches("exit 1", text, 1, true)
  end)
end)
