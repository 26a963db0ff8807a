-- tools/imerr_cdata.lua: Lua data as static const C arrays. The C text it
-- renders is read back here and decoded as src/imerr_lua.c's push_data
-- does, for values of every kind the catalogue may grow into (the real
-- catalogue is checked through imerr.core in spec/api_spec.lua).
local cdata = require "imerr_cdata"

-- The items of the C array `name` in text, as Lua values.
local function array(text, name)
  local body = assert(text:match(name .. "%[%] = {\n(.-)\n};"), name)
  local out = {}
  if name:find("strings$") then
    -- One literal a line; escapes are \ooo (octal) or \ and a character.
    for line in body:gmatch("[^\n]+") do
      local lit, s, i = assert(line:match('^%s*"(.*)",$')), {}, 1
      while i <= #lit do
        local c = lit:sub(i, i)
        if c ~= "\\" then
          s[#s + 1], i = c, i + 1
        elseif lit:find("^%d%d%d", i + 1) then
          s[#s + 1], i = string.char(tonumber(lit:sub(i + 1, i + 3), 8)), i + 4
        else
          s[#s + 1], i = lit:sub(i + 1, i + 1), i + 2
        end
      end
      out[#out + 1] = table.concat(s)
    end
  elseif name:find("tables$") then
    for a, b, c in body:gmatch("{(%d+), (%d+), (%d+)}") do
      out[#out + 1] = { tonumber(a), tonumber(b), tonumber(c) }
    end
  else
    for n in body:gmatch("([-%w_.+]+),") do
      n = n:gsub("LL$", ""):gsub("u$", "")
      if n == "HUGE_VAL" then out[#out + 1] = math.huge
      elseif n == "-HUGE_VAL" then out[#out + 1] = -math.huge
      else out[#out + 1] = assert(tonumber(n), n) end
    end
  end
  return out
end

-- Decodes value v from the rendered pools, as push_data does.
local function decode(p, v)
  local kind, i = v % 8, math.floor(v / 8) + 1
  if kind == 0 then return false end
  if kind == 1 then return true end
  if kind == 2 then return p.ints[i] end
  if kind == 3 then return p.numbers[i] end
  if kind == 4 then return p.strings[i] end
  local t, out = p.tables[i], {}
  for k = 0, t[2] - 1 do out[k + 1] = decode(p, p.values[t[1] + k + 1]) end
  for k = 0, t[3] - 1 do
    local at = t[1] + t[2] + 2 * k + 1
    out[decode(p, p.values[at])] = decode(p, p.values[at + 1])
  end
  return out
end

local function round_trip(value)
  local pools = cdata.new()
  local v = pools:value(value)
  local text = cdata.render(pools, "x") .. "\n"
  local p = {}
  for _, what in ipairs { "ints", "numbers", "strings", "tables", "values" } do
    p[what] = array(text, "x_" .. what)
  end
  return decode(p, v), pools
end

describe("tools/imerr_cdata.lua", function()
  it("stores every kind of value and gives it back", function()
    local value = {
      "a", "b", { 1, 2 }, true, false, -2147483648, 2 ^ 40, 0.2, -1.5e-7,
      path = "v4/openim/sendmsg", rate = 200, ["with space"] = "x\ty\n\"?\\",
      fail = { [0] = true, [-3] = false }, empty = {},
      rules = { { fields = { "To_Account", "MsgRandom" }, window = 1.5 } },
      dedupe = { window = math.huge, below = -math.huge, fields = {} },
      utf8 = "中间件",
    }
    assert.same(value, (round_trip(value)))
  end)

  it("stores the infinities as C99's HUGE_VAL (a window that never ends)", function()
    local pools = cdata.new()
    pools:value { window = math.huge, low = -math.huge }
    local text = cdata.render(pools, "x")
    assert.truthy(text:find("\n  HUGE_VAL, -HUGE_VAL,\n", 1, true) or
      text:find("\n  -HUGE_VAL, HUGE_VAL,\n", 1, true), text)
    assert.is_nil(text:find("inf", 1, true))
  end)

  it("stores equal strings, numbers and tables once", function()
    local ids = { "To_Account" }
    local back, pools = round_trip { a = { ids, ids, { "To_Account" } },
      b = "To_Account", c = 7, d = 7 }
    assert.same({ "To_Account" }, back.a[3])
    local n = 0
    for _, s in ipairs(pools.strings) do
      if s == "To_Account" then n = n + 1 end
    end
    assert.equal(1, n)
    assert.equal(1, #pools.ints)
  end)

  it("refuses what C cannot hold or Lua would not give back", function()
    for _, bad in ipairs { { 0 / 0 }, { "a\0b" }, { print },
      { [true] = 1 }, { [1.5] = 1 } } do
      assert.has_error(function() cdata.new():value(bad) end)
    end
    local deep = {}
    for _ = 1, cdata.MAX_DEPTH do deep = { deep } end
    assert.has_error(function() cdata.new():value(deep) end)
  end)

  it("orders strings by bytes, as strcmp does", function()
    assert.is_true(cdata.before("v4/ConfigSvc/x", "v4/all/x"))
    assert.is_true(cdata.before("v4/a", "v4/a/"))
    assert.is_false(cdata.before("b", "a"))
    assert.is_false(cdata.before("a", "a"))
  end)
end)
