local imerr = require "imerr"

describe("imerr.lookup", function()
  it("finds a known code with every field", function()
    local row = assert(imerr.lookup(9510))
    assert.same({
      code = 9510, last = 9510, name = "ERR_SDK_NET_CONN_TIMEOUT",
      official = true, part = "sdk", section = "network", source = "page-2020",
      message = "Network connection setup timed out. Try again after the " ..
        "network recovers.",
      hint = { class = "transient", reason = "timeout", action = "reconnect",
        severity = "warning", min_delay = 0, http_status = 504,
        ambiguous = false },
    }, row)
  end)

  it("finds negative codes and code 0", function()
    assert.equal("ERR_SVR_SSO_CONNECT_LIMIT", imerr.lookup(-302).name)
    assert.equal("ERR_SUCC", imerr.lookup(0).name)
    assert.equal("server", imerr.lookup(-10114).part)
  end)

  it("accepts integral floats and decimal strings", function()
    local row = imerr.lookup(70001)
    assert.equal(row, imerr.lookup(70001.0))
    assert.equal(row, imerr.lookup("70001"))
    assert.equal(row, imerr.lookup(" 70001 "))
    assert.equal(row, imerr.lookup("+70001"))
    assert.equal(row, imerr.lookup("\t70001\n"))
    assert.equal(imerr.lookup(-302), imerr.lookup(" -302 "))
    assert.equal(imerr.lookup(0), imerr.lookup("-0"))
  end)

  it("parses a canonical string once, other spellings every time", function()
    local core = require "imerr.core"
    local parse, calls = core.parse, 0
    core.parse = function(...)
      calls = calls + 1
      return parse(...)
    end
    local ok, err = pcall(function()
      for _ = 1, 3 do assert.equal(6019, imerr.lookup("6019").code) end
      assert.equal(1, calls)
      for _ = 1, 3 do assert.equal(6019, imerr.lookup(" 6019").code) end
      assert.equal(4, calls)
      assert.equal("ERR_SUCC", imerr.name("0"))
      assert.equal("ERR_SUCC", imerr.name("0"))
      assert.equal("ERR_SUCC", imerr.name("-0"))
      assert.equal("ERR_SUCC", imerr.name("-0"))
      assert.equal(7, calls)
    end)
    core.parse = parse
    assert(ok, err)
  end)

  it("returns the same table on every call", function()
    assert.equal(imerr.lookup(6017), imerr.lookup(6017))
    assert.equal(imerr.lookup(125000), imerr.lookup(125001))
  end)

  it("answers the range row inside 120001..130000 only", function()
    assert.is_nil((imerr.lookup(120000)))
    local first = assert(imerr.lookup(120001))
    assert.equal(120001, first.code)
    assert.equal(130000, first.last)
    assert.equal(first, imerr.lookup(125000))
    assert.equal(first, imerr.lookup("130000"))
    assert.equal(first, imerr.lookup(130000.0))
    local none, err = imerr.lookup(130006)
    assert.is_nil(none)
    assert.equal("unknown code: 130006", err)
  end)

  it("reports unknown codes", function()
    local row, err = imerr.lookup(99999)
    assert.is_nil(row)
    assert.equal("unknown code: 99999", err)
    row, err = imerr.lookup("12")
    assert.is_nil(row)
    assert.equal("unknown code: 12", err)
  end)

  local bad = {
    { "nil", nil, "expected a number or a string, got nil" },
    { "true", true, "got boolean" },
    { "false", false, "got boolean" },
    { "a table", {}, "got table" },
    { "a function", print, "got function" },
    { "1.5", 1.5, "is not an integer" },
    { "NaN", 0 / 0, "NaN" },
    { "inf", math.huge, "outside the 32-bit range" },
    { "-inf", -math.huge, "outside the 32-bit range" },
    { "2^63", 2 ^ 63, "outside the 32-bit range" },
    { "2^31", 2 ^ 31, "outside the 32-bit range" },
    { "the empty string", "", "is not a decimal integer" },
    { "spaces only", "   ", "is not a decimal integer" },
    { "a sign only", "-", "is not a decimal integer" },
    { "hex", "0x1F", "is not a decimal integer" },
    { "an exponent", "7e4", "is not a decimal integer" },
    { "a decimal point", "70001.0", "is not a decimal integer" },
    { "trailing junk", "70001abc", "is not a decimal integer" },
    { "inner spaces", "700 01", "is not a decimal integer" },
    { "two signs", "--302", "is not a decimal integer" },
    { "a NUL byte", "70001\0", "is not a decimal integer" },
    { "a long string", ("7"):rep(100000), "is not a decimal integer" },
    { "a huge number", "99999999999999999999", "outside the 32-bit range" },
    { "2^31 as text", "2147483648", "outside the 32-bit range" },
  }
  for _, case in ipairs(bad) do
    it("returns nil and a message for " .. case[1], function()
      local row, err = imerr.lookup(case[2])
      assert.is_nil(row)
      assert.is_string(err)
      assert.truthy(err:find(case[3], 1, true), err)
      assert.truthy(#err < 200, "message is short")
    end)
  end

  it("accepts the edges of the 32-bit range as (unknown) codes", function()
    assert.equal("unknown code: 2147483647", select(2, imerr.lookup(2 ^ 31 - 1)))
    assert.equal("unknown code: -2147483648",
      select(2, imerr.lookup("-2147483648")))
  end)
end)

describe("imerr.name, message and code", function()
  it("map codes to names and messages", function()
    assert.equal("ERR_SDK_NOT_INITIALIZED", imerr.name(6013))
    assert.equal("ERR_SVR_ACCOUNT_USERSIG_EXPIRED", imerr.name("70001"))
    assert.equal("Batch operation failed.", imerr.message(6003))
    assert.equal("ERR_SVR_MSG_CALLBACK_APP_DEFINED", imerr.name(120500))
  end)

  it("keep the page's line breaks and punctuation", function()
    assert.equal("D2 expired. D2 is an internal credential generated based" ..
      " on the UserSig. The validity period of D2 is less than or equal to" ..
      " that of the UserSig.\nCall the TIMManager.getInstance().login API" ..
      " again to generate a new D2.", imerr.message(-10001))
    assert.truthy(imerr.message(30525):find("user\226\128\153s", 1, true))
    assert.truthy(imerr.message(7003):find("pf up to 32 bytes", 1, true))
  end)

  it("map names back to codes", function()
    assert.equal(6013, imerr.code("ERR_SDK_NOT_INITIALIZED"))
    assert.equal(-302, imerr.code("ERR_SVR_SSO_CONNECT_LIMIT"))
    assert.equal(120001, imerr.code("ERR_SVR_MSG_CALLBACK_APP_DEFINED"))
    assert.equal(6003, imerr.lookup_name("ERR_NO_SUCC_RESULT").code)
  end)

  it("return nil and a message for anything else", function()
    for _, f in ipairs { imerr.name, imerr.message } do
      local v, err = f(99999)
      assert.is_nil(v)
      assert.equal("unknown code: 99999", err)
      v, err = f({})
      assert.is_nil(v)
      assert.truthy(err:find("got table", 1, true))
    end
    for _, bad in ipairs { "", "err_succ", "ERR_SUCC ", "ERR_SUCC\0", 0 } do
      local v, err = imerr.code(bad)
      assert.is_nil(v)
      assert.is_string(err)
      v, err = imerr.lookup_name(bad)
      assert.is_nil(v)
      assert.is_string(err)
    end
    assert.equal("invalid name: expected a string, got nil",
      select(2, imerr.code(nil)))
  end)
end)

describe("imerr.entries and count", function()
  it("iterate over every row in ascending code order", function()
    local n, previous = 0, -math.huge
    for code, row in imerr.entries() do
      n = n + 1
      assert.equal(code, row.code)
      assert.truthy(code > previous)
      previous = code
      assert.equal(row, imerr.lookup(code))
    end
    assert.equal(600, n)
    assert.equal(600, imerr.count)
  end)

  it("has a version", function()
    assert.matches("^%d+%.%d+%.%d+$", imerr._VERSION)
  end)
end)

describe("imerr's texts, loaded on first need", function()
  -- A fresh imerr, in which nothing has been read yet.
  local function fresh()
    local saved = {}
    for k, v in pairs(package.loaded) do
      if k:find("^imerr") and k ~= "imerr.core" then saved[k] = v end
    end
    for k in pairs(saved) do package.loaded[k] = nil end
    local m = require "imerr"
    for k in pairs(saved) do package.loaded[k] = saved[k] end
    return m
  end

  local first = {
    name = function(m) return m.name(9510) end,
    message = function(m) return m.message(9510):sub(1, 18) end,
    lookup = function(m) return m.lookup(9510).section end,
    range = function(m) return m.lookup(125000).part end,
    lookup_name = function(m) return m.lookup_name("ERR_SUCC").source end,
    code = function(m) return m.code("ERR_SDK_NET_CONN_TIMEOUT") end,
    entries = function(m) local _, row = m.entries()() return row.name end,
    copy = function(m) return m.copy(m.reasons_list)[1].name end,
  }
  local _, first_row = imerr.entries()()
  local want = { name = "ERR_SDK_NET_CONN_TIMEOUT", message = "Network connection",
    lookup = "network", range = "server", lookup_name = "page-2020",
    code = 9510, entries = first_row.name, copy = "ok" }

  for what, f in pairs(first) do
    it("whichever asks first: " .. what, function()
      local m = fresh()
      assert.equal(want[what], f(m))
      assert.equal("ERR_SVR_ACCOUNT_USERSIG_EXPIRED", m.name(70001))
      assert.equal(imerr.message(6017), m.message(6017))
      assert.same(imerr.copy(imerr.lookup(6017)), m.copy(m.lookup(6017)))
    end)
  end
end)

-- The text of a code is read by the C core (imerr_parse_code): its edges.
describe("imerr.to_code on text at the edges of what it reads", function()
  local function refused(text, why)
    local code, err = imerr.to_code(text)
    assert.is_nil(code, ("%q"):format(text))
    assert.truthy(err:find(why, 1, true), err)
  end

  it("refuses a code one digit past the 32-bit limit, of either sign", function()
    -- 2147483647 and 2147483648 read whole, then one digit more
    for _, text in ipairs { "21474836470", "21474836479", "-21474836480",
      "-21474836489", "214748364700", "2147483648", "-2147483649" } do
      refused(text, "is outside the 32-bit range")
    end
    assert.equal(2147483647, imerr.to_code("2147483647"))
    assert.equal(-2147483648, imerr.to_code("-2147483648"))
    assert.equal(2147483647, imerr.to_code("0002147483647"))
  end)

  it("reads a code with the line ending of a network protocol", function()
    for _, text in ipairs { "70001\r\n", "70001\r", "\r\n70001\r\n",
      " \t70001\v\f\r\n" } do
      assert.equal(70001, imerr.to_code(text), ("%q"):format(text))
    end
    assert.equal("ERR_SVR_ACCOUNT_USERSIG_EXPIRED",
      imerr.lookup("70001\r\n").name)
    assert.equal(-302, imerr.to_code("-302\r\n"))
  end)

  it("reads 64 bytes of digits at most, spaces around them aside", function()
    local text = ("0"):rep(59) .. "70001"
    assert.equal(64, #text)
    assert.equal(70001, imerr.to_code(text))
    assert.equal(70001, imerr.to_code("  " .. text .. " \r\n"))
    refused("0" .. text, "is not a decimal integer")
    assert.equal(-302, imerr.to_code("-" .. ("0"):rep(60) .. "302"))
    refused("-" .. ("0"):rep(61) .. "302", "is not a decimal integer")
  end)

  it("takes only the ten digits as digits", function()
    -- ':' and '/' sit right after '9' and right before '0' in ASCII
    for _, text in ipairs { ":", "7:", "7000:", "70001:", "/", "7/", "1:0" } do
      refused(text, "is not a decimal integer")
    end
  end)
end)
