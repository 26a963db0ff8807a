-- imerr._json writes valid UTF-8 and bounded texts.
local json = require "imerr._json"

local valid_utf8 = require "valid_utf8"

describe("imerr._json", function()
  it("replaces bytes that are not UTF-8 with U+FFFD", function()
    assert.equal('"a\239\191\189b"', json.string("a\255b"))
    -- a lone continuation byte, a cut sequence, an overlong slash, a surrogate
    for _, bad in ipairs { "\128", "\226\130", "\192\175", "\237\160\128",
      "\244\144\128\128", "\248\136\128\128\128" } do
      local out = json.string("x" .. bad .. "y")
      assert.truthy(valid_utf8(out), ("%q"):format(out))
      assert.truthy(out:find("\239\191\189", 1, true))
      assert.truthy(out:find('^"x') and out:find('y"$'))
    end
  end)

  it("passes valid UTF-8 through unchanged", function()
    local text = "caf\195\169 \226\128\156quoted\226\128\157 \240\159\152\128"
    assert.equal('"' .. text .. '"', json.string(text))
  end)

  it("writes valid UTF-8 for any bytes", function()
    math.randomseed(7)
    for _ = 1, 500 do
      local bytes = {}
      for k = 1, math.random(0, 12) do bytes[k] = string.char(math.random(0, 255)) end
      local out = json.string(table.concat(bytes))
      assert.truthy(valid_utf8(out), ("%q"):format(out))
      assert.is_nil(out:find("[%z\1-\31]"))
    end
  end)

  it("cuts long texts on a character boundary", function()
    assert.equal("abc", json.truncate("abc", 3))
    assert.equal("ab...", json.truncate("abcdef", 5))
    assert.equal("...", json.truncate("abcdef", 3))
    -- "é" is two bytes: a cut after its first byte takes it out whole
    assert.equal("a...", json.truncate("a\195\169zzz", 5))
    assert.equal("a\195\169...", json.truncate("a\195\169zzzz", 6))
    local long = ("\228\184\173"):rep(1000)
    local cut = json.truncate(long, 100)
    assert.truthy(#cut <= 100)
    assert.truthy(valid_utf8(cut))
  end)

  it("writes integral numbers as integers, in every Lua", function()
    local function obj(v) return json.object({ n = v }, { "n" }) end
    assert.equal('{"n":1152921504606846976}', obj(2 ^ 60))
    assert.equal('{"n":-1152921504606846976}', obj(-2 ^ 60))
    assert.equal('{"n":9007199254740994}', obj(2 ^ 53 + 2))
    assert.equal('{"n":0}', obj(-0.0))
    assert.equal('{"n":70001}', obj(70001.0))
    assert.equal(("1" .. ("0"):rep(22)), json.number(1e22))
    -- Others with the fewest digits that read back as the same number.
    assert.equal('{"n":0.1}', obj(0.1))
    assert.equal(1 / 3, tonumber(json.number(1 / 3)))
    assert.equal(0.1 + 0.2, tonumber(json.number(0.1 + 0.2)))
    -- Lua 5.3+ integers keep digits a double would lose.
    if math.tointeger then
      assert.equal('{"n":4611686018427387905}', obj(math.tointeger(2 ^ 62) + 1))
    end
  end)

  it("refuses values JSON cannot hold, never writing null or inf", function()
    for _, v in ipairs { math.huge, -math.huge, 0 / 0, {}, print } do
      local text, err = json.object({ n = v }, { "n" })
      assert.is_nil(text)
      assert.truthy(err:find("^n is "), err)
      assert.is_nil(type(v) == "number" and json.number(v) or nil)
    end
    assert.equal('{"n":null}', json.object({}, { "n" }))
  end)
end)

describe("imerr._json at the edges of UTF-8", function()
  it("replaces every overlong form and what is above U+10FFFF", function()
    -- "/" (U+002F) in two, three and four bytes; U+07FF in three; U+FFFF
    -- in four; U+110000
    for _, bad in ipairs { "\192\175", "\224\128\175", "\224\159\191",
      "\240\128\128\175", "\240\143\191\191", "\244\144\128\128" } do
      local out = json.string(bad)
      assert.truthy(valid_utf8(out), ("%q"):format(out))
      assert.truthy(out:find("\239\191\189", 1, true), ("%q"):format(out))
    end
    -- the smallest three- and four-byte forms, and the largest code point
    for _, good in ipairs { "\224\160\128", "\240\144\128\128",
      "\244\143\191\191", "\237\159\191" } do
      assert.equal('"' .. good .. '"', json.string(good))
    end
  end)

  it("never cuts a character, whatever its continuation bytes", function()
    -- U+00C0 is C3 80: 0x80, the lowest continuation byte
    assert.equal("a...", json.truncate("a\195\128zzz", 5))
    assert.equal("a...", json.truncate("a\226\130\172zzz", 6))
    assert.equal("a\226\130\172...", json.truncate("a\226\130\172zzzz", 7))
    for _, c in ipairs { "\195\128", "\195\191", "\224\160\128",
      "\240\144\128\128" } do
      local s = c:rep(200)
      for max = 3, 40 do
        local cut = json.truncate(s, max)
        assert.truthy(#cut <= max)
        assert.is_true(valid_utf8(cut), ("%q"):format(cut))
      end
    end
  end)

  it("escapes quotes, backslashes and control bytes", function()
    assert.equal([["a\\b"]], json.string([[a\b]]))
    assert.equal([["\\\"\\"]], json.string([[\"\]]))
    assert.equal('"\\u0001\\u001f\\t\\n\\r"', json.string("\1\31\t\n\r"))
  end)
end)
