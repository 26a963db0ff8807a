-- imerr's own JSON reader (imerr.core's json_decode, behind imerr._decode),
-- held against cjson: the same values for the same text, except that
-- integers stay exact (an integer where Lua has them, the digits where a
-- double would round); the same texts refused.
local decoding = require "imerr._decode"
local cjson = require "cjson"

local math_type = rawget(math, "type")
local tointeger = rawget(math, "tointeger")

-- cjson's value as imerr's reader gives it: integral numbers as integers
-- on 5.3+.
local function normal(v)
  if type(v) == "number" and tointeger and tointeger(v) then
    return tointeger(v)
  end
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = normal(x) end
  return out
end

-- The same value, integer subtypes included.
local function same(a, b, where)
  if type(a) == "table" and type(b) == "table" then
    for k, x in pairs(a) do same(x, b[k], where .. "." .. tostring(k)) end
    for k in pairs(b) do assert(a[k] ~= nil, where .. ": extra key " .. tostring(k)) end
    return
  end
  if a ~= a and b ~= b then return end
  assert(a == b, ("%s: %s ~= %s"):format(where, tostring(a), tostring(b)))
  if math_type and type(a) == "number" then
    assert(math_type(a) == math_type(b), where .. ": " .. math_type(a) ..
      " ~= " .. math_type(b))
  end
end

-- A random value: strings of any bytes a text may hold, numbers cjson
-- writes exactly (up to 2^53), nesting a few levels.
local function random_string(random)
  local parts = {}
  for i = 1, random(0, 12) do
    local pick = random(1, 10)
    if pick <= 5 then parts[i] = string.char(random(32, 126))
    elseif pick == 6 then parts[i] = string.char(random(0, 31))
    elseif pick == 7 then parts[i] = ({ '"', "\\", "/" })[random(1, 3)]
    elseif pick == 8 then parts[i] = "中"
    elseif pick == 9 then parts[i] = "\240\159\152\128" -- U+1F600
    else parts[i] = string.char(random(128, 255)) end
  end
  return table.concat(parts)
end

local function random_value(random, depth)
  local pick = random(1, depth > 3 and 6 or 8)
  if pick == 1 then return random_string(random) end
  if pick == 2 then return random(-2 ^ 31, 2 ^ 31) end
  if pick == 3 then return random(0, 2 ^ 20) * 2 ^ random(0, 33) end
  if pick == 4 then return (random() - 0.5) * 10 ^ random(-20, 20) end
  if pick == 5 then return random(0, 1) == 1 end
  if pick == 6 then return cjson.null end
  local t = {}
  if pick == 7 then
    for i = 1, random(1, 5) do t[i] = random_value(random, depth + 1) end
  else
    for _ = 1, random(1, 5) do t[random_string(random)] = random_value(random, depth + 1) end
  end
  return t
end

describe("imerr's JSON reader", function()
  it("reads what cjson writes as cjson reads it", function()
    local random = math.random
    math.randomseed(20260704)
    for n = 1, 3000 do
      local text = cjson.encode(random_value(random, 0))
      local got, ascii = decoding.decode(text)
      assert(got ~= nil, text .. ": " .. tostring(ascii))
      same(got, normal(cjson.decode(text)), "value " .. n .. " " .. text)
      assert.equal(not text:find("[\128-\255]"), ascii, text)
    end
  end)

  it("reads escapes, surrogate pairs and white space", function()
    local v = assert(decoding.decode(' \t\r\n{ "a" : ' ..
      '"\\u4e2d\\ud83d\\ude00\\n\\"\\\\\\/\\b\\f\\r\\t" ,' ..
      '"b":[ 1 , -0 , 0.5, -1.5e3, 1E-2, true, false, null ] } '))
    assert.equal("中\240\159\152\128\n\"\\/\b\f\r\t", v.a)
    same(v.b, normal(cjson.decode('[1,-0,0.5,-1.5e3,1E-2,true,false,null]')), "b")
    assert.equal(cjson.null, v.b[8])
    local _, ascii = decoding.decode('{"a":"\\u0041\\u007f"}')
    assert.is_true(ascii)
    _, ascii = decoding.decode('{"a":"\\u0080"}')
    assert.is_false(ascii)
  end)

  it("keeps integers exact where a double would round them", function()
    local v = assert(decoding.decode('[9007199254740992, 9007199254740993,' ..
      ' -9223372036854775808, 9223372036854775807, 9223372036854775808,' ..
      ' 18446744073709551615, 123456789012345678901234567890]'))
    assert.equal(9007199254740992, v[1])
    if math_type then
      assert.equal(9007199254740993, v[2])
      assert.equal(rawget(math, "mininteger"), v[3])
      assert.equal(rawget(math, "maxinteger"), v[4])
      assert.equal("integer", math_type(v[2]))
    else
      assert.same({ "9007199254740993", "-9223372036854775808",
        "9223372036854775807" }, { v[2], v[3], v[4] })
    end
    assert.equal("9223372036854775808", v[5])
    assert.equal("18446744073709551615", v[6])
    assert.equal("123456789012345678901234567890", v[7])
  end)

  it("refuses what is not JSON, saying where", function()
    for _, text in ipairs { "", " ", "{", "[1,]", '{"a":1,}', '{"a" 1}',
      "{1:2}", '"abc', '"\\x"', '"\\u12"', '"\\ud800"', '"\\udc00x"',
      '"\\ud800\\u0041"', "01", "1.", ".5", "+1", "1e", "-", "tru", "nul",
      "[1] 2", "NaN", "[1 2]", '{"a":1 "b":2}', "\239\187\191{}" } do
      local v, err = decoding.decode(text)
      assert.is_nil(v, text)
      assert.truthy(err:find("^text is not JSON: .* at byte %d+$"), err)
    end
  end)

  it("refuses nesting deeper than 64 and reads 64", function()
    assert.is_table(decoding.decode(("["):rep(64) .. ("]"):rep(64)))
    local v, err = decoding.decode(("["):rep(65) .. ("]"):rep(65))
    assert.is_nil(v)
    assert.truthy(err:find("nested too deep", 1, true), err)
    v = decoding.decode(("["):rep(1e6))
    assert.is_nil(v)
  end)

  it("reads every prefix of a text as a whole or refuses it, never raising", function()
    local text = cjson.encode { ActionStatus = "OK", ErrorCode = 0,
      List = { { A = "x\\\"y", B = 1.5, C = { true, false, cjson.null } } },
      U = "\\u4e2d" }
    for i = 0, #text do
      local ok = pcall(decoding.decode, text:sub(1, i))
      assert.is_true(ok)
    end
  end)
end)
