-- imerr._json writes valid UTF-8 and bounded texts.
local json = require "imerr._json"

-- True when s is valid UTF-8 (RFC 3629), checked independently of
-- imerr._json: no overlong forms, surrogates or code points above U+10FFFF.
local function valid_utf8(s)
  local i, n = 1, #s
  while i <= n do
    local c = s:byte(i)
    local len, min
    if c < 0x80 then len, min = 1, 0
    elseif c >= 0xC0 and c < 0xE0 then len, min = 2, 0x80
    elseif c >= 0xE0 and c < 0xF0 then len, min = 3, 0x800
    elseif c >= 0xF0 and c < 0xF8 then len, min = 4, 0x10000
    else return false
    end
    if i + len - 1 > n then return false end
    local cp = len == 1 and c or c % (2 ^ (7 - len))
    for k = i + 1, i + len - 1 do
      local b = s:byte(k)
      if b < 0x80 or b > 0xBF then return false end
      cp = cp * 64 + b % 64
    end
    if cp < min or cp > 0x10FFFF or (cp >= 0xD800 and cp <= 0xDFFF) then
      return false
    end
    i = i + len
  end
  return true
end

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
end)
