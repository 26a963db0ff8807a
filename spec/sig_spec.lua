-- imerr.sig: UserSigs made and checked, callback signs, the admin's
-- cached UserSig. The fixed UserSigs below were made by Tencent's Node
-- library tls-sig-api-v2 1.0.2 with its clock fixed (spec/sig/oracle.js
-- holds imerr against that library on many more inputs).
--
-- CMake sets IMERR_SIG_BUILT=OFF where OpenSSL or zlib was missing: then
-- only what is said about a missing imerr.sig_core is checked.
local BUILT = os.getenv("IMERR_SIG_BUILT") ~= "OFF"

-- require(name) with imerr.sig_core hidden from require, fresh copies of
-- the sig modules, and the originals back afterwards.
local function without_core(name)
  local names = { "imerr.sig", "imerr.sig_core", "imerr._callback_verify" }
  local saved = {}
  for _, n in ipairs(names) do
    saved[n] = package.loaded[n]
    package.loaded[n] = nil
  end
  local function block(n)
    if n == "imerr.sig_core" then return function() error(n .. " hidden") end end
  end
  local searchers = package.searchers or package.loaders
  table.insert(searchers, 1, block)
  local ok, mod = pcall(require, name)
  local ok2, err2
  if ok and name == "imerr._callback_verify" then
    ok2, err2 = pcall(mod.verify, { Sign = ("0"):rep(64), RequestTime = "1" },
      { tokens = { "t" }, now = 1 })
  end
  table.remove(searchers, 1)
  for _, n in ipairs(names) do package.loaded[n] = saved[n] end
  return ok, mod, ok2, err2
end

describe("imerr.sig without imerr.sig_core", function()
  it("raises on require, saying what to install", function()
    local ok, err = without_core("imerr.sig")
    assert.is_false(ok)
    assert.truthy(err:find("imerr.sig needs its C module imerr.sig_core", 1,
      true), err)
    assert.truthy(err:find("libssl-dev and zlib1g-dev", 1, true), err)
  end)

  it("leaves callback.verify loadable; a call raises the same advice", function()
    local ok, mod, ok2, err2 = without_core("imerr._callback_verify")
    assert.is_true(ok, mod)
    assert.is_false(ok2)
    assert.truthy(err2:find("callback.verify needs imerr.sig_core", 1, true),
      err2)
  end)
end)

if not BUILT then return end

local sig = require "imerr.sig"
local core = require "imerr.sig_core"

local KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
local APP = 1400000000
-- genUserSig("xiaojun", 15552000) at 1700000000.
local NODE_SIG = "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwhWZiflZpXlQqeKU7MSC" ..
  "gswUJStDEwMogMiUZOamKlkZmqOKplYUZBaBxE1NTY3gosWZ6UpWSj5ljuYp*p7l5unBxX" ..
  "nF2WVhVU4uAf7Ozi5JpX7O5SbuHuUhzgZJmQXaTia2SrUAohcx8g__"
local NODE_DOC = '{"TLS.ver":"2.0","TLS.identifier":"xiaojun",' ..
  '"TLS.sdkappid":1400000000,"TLS.time":1700000000,"TLS.expire":15552000,' ..
  '"TLS.sig":"LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4="}'
-- new Api(1400000001, "test-key-for-the-spec")
--   .genPrivateMapKey("alice", 300, 1234, 255) at 1700000000: a userbuf.
local NODE_KEY2 = "test-key-for-the-spec"
local NODE_MAPKEY = "eJw1jbkOgkAURf-ltRoFJEEnoXhELZRCAUenZBnwiRgyLBKN-27Ccrp7TnG-E" ..
  "Lj*opUKGBgLDeb9pkS*akqp1*GTYjmGKsnDsqQEmG5qA-pQaiokMN0arTZY2ZWkJLDVJJp" ..
  "KqqhJgQEi7sW1K4XBgzg3HUTcaQUP1vRGxO0Se2x7eqYMGNTRJwtPygrTu7e53I**4k7WHQ" ..
  "pz43r8cvYeNzGzjNYXPLfh9wepqEE5"
local NODE_USERBUF = "AAAFYWxpY2VTck4BAAAE0mVT8iwAAAD/AAAAAA=="
-- Those 28 bytes: version 0, "alice" and its length, the sdkappid, room
-- 1234, the expiry (1700000300), privileges 255, account type 0.
local USERBUF = "\0\0\5alice" .. "\83\114\78\1\0\0\4\210\101\83\242\44" ..
  "\0\0\0\255\0\0\0\0"

-- text with the first plain from replaced by to.
local function replace(text, from, to)
  local i, j = text:find(from, 1, true)
  assert(i, from)
  return text:sub(1, i - 1) .. to .. text:sub(j + 1)
end

local function expect(over)
  local o = { sdkappid = APP, key = KEY, identifier = "xiaojun",
    now = 1700000000 }
  for k, v in pairs(over or {}) do o[k] = v end
  return o
end

local REASONS = { malformed = true, bad_signature = true, expired = true,
  wrong_identifier = true, wrong_sdkappid = true }

-- verify_usersig gives nil and this reason.
local function refuses(reason, usersig, over)
  local t, why = sig.verify_usersig(usersig, expect(over))
  assert.is_nil(t)
  assert.equal(reason, why)
end

-- A document packed as a UserSig, as Tencent's libraries pack theirs.
local function packed(doc, level)
  return assert(core.pack(doc, level))
end

-- The signed text's HMAC, for documents written by hand.
local function hmac_b64(key, id, app, time, expire, userbuf)
  local text = ("TLS.identifier:%s\nTLS.sdkappid:%d\nTLS.time:%d\n" ..
    "TLS.expire:%d\n"):format(id, app, time, expire)
  if userbuf then text = text .. "TLS.userbuf:" .. userbuf .. "\n" end
  return core.base64(core.hmac_sha256(key, text))
end

local GOOD_SIG = hmac_b64(KEY, "xiaojun", APP, 1700000000, 86400)
local function doc(fields)
  return "{" .. table.concat(fields, ",") .. "}"
end
local GOOD = { '"TLS.ver":"2.0"', '"TLS.identifier":"xiaojun"',
  '"TLS.sdkappid":1400000000', '"TLS.time":1700000000', '"TLS.expire":86400',
  '"TLS.sig":"' .. GOOD_SIG .. '"' }
local function with(i, field)
  local t = {}
  for k, v in ipairs(GOOD) do t[k] = v end
  t[i] = field
  return doc(t)
end

describe("sig.usersig", function()
  it("writes the document of Tencent's Node library, byte for byte", function()
    local s = assert(sig.usersig { sdkappid = APP, key = KEY,
      identifier = "xiaojun", expire = 15552000, now = 1700000000.9 })
    assert.equal(NODE_DOC, core.unpack(s))
    assert.truthy(s:find("^[%w%*%-]+_*$"), s)
  end)

  it("writes the userbuf as Tencent's library does", function()
    local userbuf = USERBUF
    local s = assert(sig.usersig { sdkappid = 1400000001, key = NODE_KEY2,
      identifier = "alice", expire = 300, now = 1700000000,
      userbuf = userbuf })
    assert.equal(core.unpack(NODE_MAPKEY), core.unpack(s))
    local t = assert(sig.verify_usersig(s, { sdkappid = 1400000001,
      key = NODE_KEY2, identifier = "alice", now = 1700000000 }))
    assert.equal(userbuf, t.userbuf)
  end)

  it("escapes identifiers as JSON.stringify does and signs them raw", function()
    local id = 'a"b\\c /d'
    local s = assert(sig.usersig { sdkappid = APP, key = KEY, identifier = id,
      expire = 60, now = 10 })
    assert.truthy(core.unpack(s):find('"TLS.identifier":"a\\"b\\\\c /d"', 1,
      true))
    assert.equal(id, assert(sig.verify_usersig(s, expect {
      identifier = id, now = 10 })).identifier)
  end)

  it("defaults expire to 180 days and now to the clock", function()
    local before = os.time()
    local s = assert(sig.usersig { sdkappid = APP, key = KEY,
      identifier = "u" })
    local t = assert(sig.verify_usersig(s, expect { identifier = "u",
      now = before }))
    assert.equal(86400 * 180, t.expire)
    assert.truthy(t.time >= before - 1 and t.time <= os.time() + 1)
  end)

  it("refuses bad options with a message that never holds the key", function()
    local secret = "very-secret-key-0123"
    local base = { sdkappid = APP, key = secret, identifier = "u", now = 1 }
    local cases = {
      { { sdkappid = 0 }, "sdkappid must be an integer" },
      { { sdkappid = 1.5 }, "sdkappid must be an integer" },
      { { sdkappid = 2 ^ 32 }, "sdkappid must be an integer" },
      { { sdkappid = "1400000000" }, "sdkappid must be an integer" },
      { { key = "" }, "key must be a string" },
      { { key = ("k"):rep(1025) }, "key must be a string" },
      { { key = 42 }, "key must be a string" },
      { { identifier = "" }, "identifier must be 1 to 32 bytes" },
      { { identifier = ("u"):rep(33) }, "identifier must be 1 to 32 bytes" },
      { { identifier = "a\nb" }, "identifier must be 1 to 32 bytes" },
      { { identifier = "\228\189\160" }, "identifier must be 1 to 32 bytes" },
      { { expire = 0 }, "expire must be a whole number" },
      { { expire = 86400 * 365 * 50 + 1 }, "expire must be a whole number" },
      { { expire = 0 / 0 }, "expire must be a whole number" },
      { { now = -1 }, "now must be a number" },
      { { now = 0 / 0 }, "now must be a number" },
      { { now = math.huge }, "now must be a number" },
      { { userbuf = ("x"):rep(1025) }, "userbuf must be a string" },
      { { userbuf = {} }, "userbuf must be a string" },
      { { secret = secret }, "unknown usersig option \"secret\"" },
      { { [secret] = 1 }, "unknown usersig option" },
    }
    for _, case in ipairs(cases) do
      local o = {}
      for k, v in pairs(base) do o[k] = v end
      for k, v in pairs(case[1]) do o[k] = v end
      local s, err = sig.usersig(o)
      assert.is_nil(s)
      assert.truthy(err:find(case[2], 1, true), err)
      assert.falsy(err:find(secret, 1, true), err)
    end
    assert.same({ nil, "usersig options must be a table" }, { sig.usersig() })
  end)

  it("makes expire and userbuf at their limits, and verifies them", function()
    local s = assert(sig.usersig { sdkappid = 4294967295, key = KEY,
      identifier = ("~"):rep(32), expire = sig.MAX_EXPIRE, now = 2 ^ 40 - 1,
      userbuf = ("\255"):rep(sig.USERBUF_MAX) })
    local t = assert(sig.verify_usersig(s, { sdkappid = 4294967295, key = KEY,
      identifier = ("~"):rep(32), now = 2 ^ 40 - 1 }))
    assert.equal(sig.USERBUF_MAX, #t.userbuf)
    assert.equal(2 ^ 40 - 1, t.time)
  end)

  it("reads its bounds from its own copies: the fields are read-only", function()
    local names = { "IDENTIFIER_MAX", "USERBUF_MAX", "DEFAULT_EXPIRE",
      "MAX_EXPIRE" }
    local saved = {}
    for _, k in ipairs(names) do saved[k], sig[k] = sig[k], 1e12 end
    local ok, long, wide, s = pcall(function()
      return sig.usersig { sdkappid = APP, key = KEY, identifier = "u",
        expire = 86400 * 365 * 51 }, sig.usersig { sdkappid = APP, key = KEY,
        identifier = ("u"):rep(33) }, sig.usersig { sdkappid = APP, key = KEY,
        identifier = "u", now = 1700000000 }
    end)
    for _, k in ipairs(names) do sig[k] = saved[k] end
    assert.is_true(ok, long)
    assert.is_string(s)
    assert.is_nil(long)
    assert.is_nil(wide)
    local t = assert(sig.verify_usersig(s, { sdkappid = APP, key = KEY,
      identifier = "u", now = 1700000000 }))
    assert.equal(86400 * 180, t.expire)
  end)
end)

describe("sig.verify_usersig", function()
  it("accepts the sigs of Tencent's Node library", function()
    local t = assert(sig.verify_usersig(NODE_SIG, expect()))
    assert.same({ identifier = "xiaojun", sdkappid = APP, time = 1700000000,
      expire = 15552000 }, t)
    t = assert(sig.verify_usersig(NODE_MAPKEY, { sdkappid = 1400000001,
      key = NODE_KEY2, identifier = "alice", now = 1700000300 }))
    assert.equal(USERBUF, t.userbuf)
  end)

  it("holds the last second valid and refuses the next: expired", function()
    assert.truthy(sig.verify_usersig(NODE_SIG, expect {
      now = 1700000000 + 15552000 }))
    refuses("expired", NODE_SIG, { now = 1700000000 + 15552000 + 1 })
    refuses("expired", NODE_MAPKEY, { sdkappid = 1400000001, key = NODE_KEY2,
      identifier = "alice", now = 1700000301 })
  end)

  it("refuses another user's sig: wrong_identifier", function()
    refuses("wrong_identifier", NODE_SIG, { identifier = "xiaojun2" })
    refuses("wrong_identifier", NODE_SIG, { identifier = "Xiaojun" })
    refuses("wrong_identifier", NODE_SIG, { identifier = "" })
    refuses("wrong_identifier", NODE_SIG, { identifier = "xiaojun\0" })
  end)

  it("refuses another app's sig: wrong_sdkappid", function()
    refuses("wrong_sdkappid", NODE_SIG, { sdkappid = APP + 1 })
    refuses("wrong_sdkappid", NODE_MAPKEY, {})
  end)

  it("refuses another key's sig: bad_signature", function()
    refuses("bad_signature", NODE_SIG, { key = KEY:upper() })
    refuses("bad_signature", NODE_SIG, { key = KEY .. " " })
  end)

  it("refuses a tampered document: bad_signature", function()
    local function tampered(from, to)
      local text = assert(core.unpack(NODE_SIG))
      return packed(replace(text, from, to))
    end
    refuses("bad_signature", tampered('"TLS.expire":15552000',
      '"TLS.expire":155520000'))
    refuses("bad_signature", tampered('"TLS.time":1700000000',
      '"TLS.time":1700000001'))
    refuses("bad_signature", tampered('LvA7d', 'LvA7e'))
    -- The HMAC of another identifier, sdkappid or time: still the
    -- signature that fails, once the fields match.
    local node_sig = NODE_DOC:match('"TLS.sig":"[^"]*"')
    refuses("bad_signature", tampered(node_sig,
      '"TLS.sig":"' .. hmac_b64(KEY, "xiaojun", APP, 1700000000, 15552001) ..
      '"'))
    -- A userbuf added to a sig that had none is not signed.
    refuses("bad_signature", tampered(',"TLS.sig"',
      ',"TLS.userbuf":"AAAA","TLS.sig"'))
    -- A signature of 31 or 33 bytes.
    refuses("bad_signature", tampered(node_sig,
      '"TLS.sig":"' .. core.base64(("x"):rep(31)) .. '"'))
    refuses("bad_signature", tampered(node_sig,
      '"TLS.sig":"' .. core.base64(("x"):rep(33)) .. '"'))
  end)

  it("refuses a tampered userbuf: bad_signature", function()
    local text = core.unpack(NODE_MAPKEY)
    local o = { sdkappid = 1400000001, key = NODE_KEY2, identifier = "alice",
      now = 1700000000 }
    assert.truthy(sig.verify_usersig(packed(text), o))
    refuses("bad_signature", packed(replace(text, "AAAAAA==", "AAAAAQ==")), o)
    refuses("bad_signature", packed(replace(text, NODE_USERBUF, "")), o)
    -- "-" is no standard base64; unused bits set are no canonical text.
    refuses("malformed", packed(replace(text, "AAD/", "AAD-")), o)
    refuses("malformed", packed(replace(text, "AAAAAA==", "AAAAAB==")), o)
  end)

  it("refuses every truncation and most bit flips of the text", function()
    for n = 0, #NODE_SIG - 1 do
      refuses("malformed", NODE_SIG:sub(1, n))
    end
    local reasons = {}
    for i = 1, #NODE_SIG do
      local c = NODE_SIG:sub(i, i)
      local flipped = NODE_SIG:sub(1, i - 1) ..
        (c == "A" and "B" or "A") .. NODE_SIG:sub(i + 1)
      local t, why = sig.verify_usersig(flipped, expect())
      assert.is_nil(t)
      assert.truthy(REASONS[why], why)
      reasons[why] = true
    end
    assert.truthy(reasons.malformed)
  end)

  it("refuses a zip bomb without inflating it: malformed", function()
    local bomb = packed(("{"):rep(4 * 1024 * 1024), 9)
    assert.truthy(#bomb < sig.TEXT_MAX, #bomb)
    refuses("malformed", bomb)
    -- A real document padded past DOC_MAX with JSON's own whitespace.
    local padded = NODE_DOC:sub(1, -2) .. (" "):rep(sig.DOC_MAX) .. "}"
    refuses("malformed", packed(padded))
    -- At exactly DOC_MAX bytes it is a document like any other.
    local fits = NODE_DOC:sub(1, -2) ..
      (" "):rep(sig.DOC_MAX - #NODE_DOC) .. "}"
    assert.equal(sig.DOC_MAX, #fits)
    assert.truthy(sig.verify_usersig(packed(fits), expect()))
  end)

  it("refuses garbage and huge input, whatever its type: malformed", function()
    for _, bad in ipairs { "", "_", "____", "eJw", "eJw_", "!!!!",
      NODE_SIG:gsub("%*", "+"), NODE_SIG:gsub("_", "="), NODE_SIG .. "AAAA",
      NODE_SIG .. "\0", " " .. NODE_SIG, ("A"):rep(sig.TEXT_MAX + 4),
      ("A"):rep(10 * 1024 * 1024), 42, true, {}, print } do
      refuses("malformed", bad)
    end
    refuses("malformed", nil)
  end)

  it("parses exactly the document's shape", function()
    local bad = {
      doc { '"TLS.ver":"2.0"' },
      with(1, '"TLS.ver":"2.1"'),
      with(1, '"TLS.ver":2'),
      with(2, '"TLS.identifier":7'),
      with(3, '"TLS.sdkappid":"1400000000"'),
      with(3, '"TLS.sdkappid":-1400000000'),
      with(3, '"TLS.sdkappid":01400000000'),
      with(3, '"TLS.sdkappid":1400000000.0'),
      with(3, '"TLS.sdkappid":1.4e9'),
      with(4, '"TLS.time":9007199254740992'),
      with(4, '"TLS.time":99999999999999999999999'),
      with(5, '"TLS.expire":null'),
      with(6, '"TLS.sig":"not base64!"'),
      with(6, '"TLS.sig":{}'),
      with(2, '"TLS.identifier":"x\1"'),
      with(2, '"TLS.identifier":"\\ud800"'),
      with(2, '"TLS.identifier":"\\udc00x"'),
      with(2, '"TLS.identifier":"\\ud800\\u0041"'),
      with(2, '"TLS.identifier":"\\x41"'),
      with(2, '"TLS.identifier":"\\u00g1"'),
      with(2, '"TLS.identifier":"xiaojun'),
      with(1, '"TLS.ver":"2.0","TLS.ver":"2.0"'),
      with(1, '"TLS.ver":"2.0","TLS.other":"x"'),
      with(1, '"TLS.ver":"2.0",'),
      with(1, '"TLS.ver" "2.0"'),
      with(1, '"TLS.VER":"2.0"'),
      doc(GOOD) .. "x",
      doc(GOOD) .. "{}",
      "[" .. doc(GOOD) .. "]",
      "\239\187\191" .. doc(GOOD),
      "",
      "{}",
      "{",
    }
    for _, text in ipairs(bad) do
      refuses("malformed", packed(text), { now = 1700000000 })
    end
    -- Missing any required field.
    for i = 1, #GOOD do
      local fields = {}
      for k, v in ipairs(GOOD) do if k ~= i then fields[#fields + 1] = v end end
      refuses("malformed", packed(doc(fields)))
    end
  end)

  it("reads documents of Tencent's other libraries", function()
    assert.truthy(sig.verify_usersig(packed(doc(GOOD)), expect()))
    -- Go: another order, a trailing newline, no compression.
    local go = doc { GOOD[1], GOOD[2], GOOD[3], GOOD[5], GOOD[4], GOOD[6] } ..
      "\n"
    assert.truthy(sig.verify_usersig(packed(go, 0), expect()))
    -- C++: ver, sdkappid, identifier, time, expire; fastest compression.
    local cpp = doc { GOOD[1], GOOD[3], GOOD[2], GOOD[4], GOOD[5], GOOD[6] }
    assert.truthy(sig.verify_usersig(packed(cpp, 1), expect()))
    -- Spaces anywhere JSON allows them; escapes in keys and values (Go
    -- writes & < > as \u0026 \u003c \u003e).
    local spaced = ' {\n "TLS.ver" : "2.0" ,\t"TLS\\u002eidentifier":' ..
      '"xiao\\u006aun" , ' .. table.concat(GOOD, " , ", 3) .. " }\r\n"
    assert.truthy(sig.verify_usersig(packed(spaced), expect()))
    local amp = doc { GOOD[1], '"TLS.identifier":"a\\u0026b\\/\\u00e9\\ud83d' ..
      '\\ude00"', GOOD[3], GOOD[4], GOOD[5], '"TLS.sig":"' ..
      hmac_b64(KEY, "a&b/\195\169\240\159\152\128", APP, 1700000000, 86400) ..
      '"' }
    assert.equal("a&b/\195\169\240\159\152\128", assert(sig.verify_usersig(
      packed(amp), expect { identifier = "a&b/\195\169\240\159\152\128" }))
      .identifier)
  end)

  it("checks in the order of Tencent's Go verifier", function()
    local other = assert(sig.usersig { sdkappid = APP + 1, key = "other",
      identifier = "bob", expire = 10, now = 100 })
    refuses("wrong_sdkappid", other, { now = 1e9 })
    refuses("wrong_identifier", other, { sdkappid = APP + 1, now = 1e9 })
    refuses("expired", other, { sdkappid = APP + 1, identifier = "bob",
      now = 1e9 })
    refuses("bad_signature", other, { sdkappid = APP + 1, identifier = "bob",
      now = 110 })
    assert.truthy(sig.verify_usersig(other, { sdkappid = APP + 1,
      key = "other", identifier = "bob", now = 110 }))
  end)

  it("never raises on random text or random documents", function()
    math.randomseed(18)
    local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" ..
      "0123456789*-_+/={}\":,\\ \0\255"
    local function random_text(n)
      local t = {}
      for i = 1, n do
        local k = math.random(#alphabet)
        t[i] = alphabet:sub(k, k)
      end
      return table.concat(t)
    end
    for _ = 1, 2000 do
      local t, why = sig.verify_usersig(random_text(math.random(0, 200)),
        expect())
      assert.is_nil(t)
      assert.truthy(REASONS[why], why)
      local text = core.pack(random_text(math.random(0, 300)))
      t, why = sig.verify_usersig(text, expect())
      assert.is_nil(t)
      assert.truthy(REASONS[why], why)
    end
  end)

  it("refuses bad options with a message, never the key", function()
    local cases = {
      { { key = "" }, "key must be a string" },
      { { sdkappid = 0 }, "sdkappid must be an integer" },
      { { identifier = 1 }, "identifier must be a string" },
      { { now = -1 }, "now must be a number" },
      { { token = KEY }, "unknown verify_usersig option" },
    }
    for _, case in ipairs(cases) do
      local t, err = sig.verify_usersig(NODE_SIG, expect(case[1]))
      assert.is_nil(t)
      assert.truthy(err:find(case[2], 1, true), err)
      assert.falsy(err:find(KEY, 1, true), err)
    end
    assert.same({ nil, "verify_usersig options must be a table" },
      { sig.verify_usersig(NODE_SIG) })
  end)
end)

describe("sig.callback_sign", function()
  it("gives the example of Tencent's callback page", function()
    local want = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"
    assert.equal(want, sig.callback_sign("xxxxyyyy", 1669872112))
    assert.equal(want, sig.callback_sign("xxxxyyyy", "1669872112"))
  end)

  it("refuses what is no token or no time", function()
    for _, case in ipairs {
      { "", 1 }, { ("t"):rep(1025), 1 }, { 7, 1 }, { "t", -1 }, { "t", 1.5 },
      { "t", "1.5" }, { "t", " 1" }, { "t", "" }, { "t", ("1"):rep(21) },
      { "t", {} }, { "t", 0 / 0 },
    } do
      local s, err = sig.callback_sign(case[1], case[2])
      assert.is_nil(s)
      assert.is_string(err)
    end
  end)
end)

describe("sig.admin", function()
  local function admin(over)
    local now = 1000
    local o = { sdkappid = APP, key = KEY, expire = 1000, renew_before = 100,
      clock = function() return now end }
    for k, v in pairs(over or {}) do o[k] = v end
    local a = assert(sig.admin(o))
    return a, function(t) now = t end
  end

  it("gives its cached UserSig until renew_before remains", function()
    local a, set = admin()
    local first = a:get()
    local t = assert(sig.verify_usersig(first, expect {
      identifier = "administrator", now = 1000 }))
    assert.same({ 1000, 1000 }, { t.time, t.expire })
    set(1899.5)
    assert.equal(first, a:get())
    set(1900)
    local second = a:get()
    assert.are_not.equal(first, second)
    assert.equal(1900, sig.verify_usersig(second, expect {
      identifier = "administrator", now = 1900 }).time)
    assert.equal(2900, a:expires())
    -- A clock stepped back keeps the cached sig: it is still valid.
    set(500)
    assert.equal(second, a:get())
  end)

  it("renews now when asked (after a relogin answer)", function()
    local a, set = admin()
    local first = a:get()
    set(1001)
    local renewed = a:renew()
    assert.are_not.equal(first, renewed)
    assert.equal(renewed, a:get())
    assert.equal(2001, a:expires())
  end)

  it("defaults to administrator, 180 days and a day's margin", function()
    local a = assert(sig.admin { sdkappid = APP, key = KEY })
    assert.same({ "administrator", 86400 * 180, 86400 },
      { a.identifier, a.expire, a.renew_before })
    a = assert(sig.admin { sdkappid = APP, key = KEY, expire = 100,
      identifier = "ops_1" })
    assert.same({ "ops_1", 50 }, { a.identifier, a.renew_before })
  end)

  it("keeps the key out of the object and its text", function()
    local a = admin()
    for k, v in pairs(a) do
      assert.are_not.equal(KEY, k)
      assert.are_not.equal(KEY, v)
    end
    assert.equal('imerr.sig.admin(1400000000, "administrator")', tostring(a))
  end)

  it("refuses bad options and a bad clock", function()
    for _, case in ipairs {
      { { renew_before = 1000 }, "renew_before must be" },
      { { renew_before = -1 }, "renew_before must be" },
      { { expire = 0 }, "expire must be" },
      { { clock = 5 }, "clock must be a function" },
      { { clock = function() return "soon" end }, "clock's time must be" },
      { { key = false }, "key must be a string" },
      { { usersig = "x" }, "unknown admin option" },
    } do
      local o = { sdkappid = APP, key = KEY, expire = 1000,
        clock = function() return 1 end }
      for k, v in pairs(case[1]) do o[k] = v end
      local a, err = sig.admin(o)
      assert.is_nil(a)
      assert.truthy(err:find(case[2], 1, true), err)
      assert.falsy(err:find(KEY, 1, true), err)
    end
    local now = 1
    local a = assert(sig.admin { sdkappid = APP, key = KEY, expire = 10,
      clock = function() return now end })
    now = 0 / 0
    local s, err = a:get()
    assert.is_nil(s)
    assert.truthy(err:find("clock's time must be", 1, true), err)
  end)
end)
