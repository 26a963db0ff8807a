-- The files of data/ held against each other: codes, names, ranges,
-- sources, changes and classes; and, when at hand, against the reference
-- lists of the codes Tencent documents since the 2020 page.
local data = require "imerr_data"
local imerr = require "imerr"

local rows = assert(data.read_codes("data/codes.tsv"))
local merged = assert(data.load("data"))
local sources, source_order = assert(data.read_sources("data/sources.tsv"))

local function by_code(code)
  for _, r in ipairs(merged) do
    if r.code == code then return r end
  end
end

-- Runs read(path) on a copy of the data file with its text changed by
-- edit(text).
local function with_edit(file, edit, read)
  local f = assert(io.open(file, "rb"))
  local text = f:read("*a")
  f:close()
  local path = os.tmpname()
  f = assert(io.open(path, "wb"))
  f:write(edit(text))
  f:close()
  local a, b = read(path)
  os.remove(path)
  return a, b
end

local function codes_with(edit)
  return with_edit("data/codes.tsv", edit, data.read_codes)
end

-- A line of codes.tsv for a new row.
local function line(code, last, name, source)
  return table.concat({ code, last or "", "server", "group", name, "no",
    source or "page-2023", "A row made up by the spec.", "" }, "\t") .. "\n"
end

describe("the rows of data/codes.tsv", function()
  it("give every code once", function()
    local seen, n = {}, 0
    for _, r in ipairs(rows) do
      assert.is_nil(seen[r.code], r.code)
      seen[r.code] = true
      n = n + 1
    end
    assert.equal(594, n)
  end)

  it("give every name once", function()
    local seen = {}
    for _, r in ipairs(rows) do
      assert.is_nil(seen[r.name], r.name)
      seen[r.name] = true
      assert.equal(r.code, imerr.code(r.name))
    end
  end)

  it("have ranges that hold no other code and overlap nothing", function()
    local ranges = 0
    for _, range in ipairs(rows) do
      if range.last ~= range.code then
        ranges = ranges + 1
        for _, r in ipairs(rows) do
          if r ~= range then
            assert.is_false(r.last >= range.code and r.code <= range.last,
              ("%d-%d overlaps %d"):format(range.code, range.last, r.code))
          end
        end
      end
    end
    assert.equal(3, ranges)
  end)

  it("are refused with a code twice, a name twice or a bad source", function()
    local map, err = codes_with(function(t)
      return t .. line(9510, nil, "ERR_SPEC_TWICE")
    end)
    assert.is_nil(map)
    assert.truthy(err:find("duplicate code 9510", 1, true), err)
    map, err = codes_with(function(t)
      return t .. line(424242, nil, "ERR_SDK_NET_CONN_TIMEOUT")
    end)
    assert.is_nil(map)
    assert.truthy(err:find("duplicate name ERR_SDK_NET_CONN_TIMEOUT", 1, true),
      err)
    map, err = codes_with(function(t)
      return t .. line(424242, nil, "ERR_SPEC_SOURCE", "Page 2023")
    end)
    assert.is_nil(map)
    assert.truthy(err:find("source must be a lower-case id", 1, true), err)
    map, err = codes_with(function(t)
      return (t:gsub("\tsdk_v3\t", "\tsdk_v4\t", 1))
    end)
    assert.is_nil(map)
    assert.truthy(err:find("unknown part sdk_v4", 1, true), err)
  end)

  it("are refused with a code inside a range or ranges that overlap",
    function()
      local inside = assert(codes_with(function(t)
        return t .. line(10150, nil, "ERR_SPEC_INSIDE")
      end))
      local sorted, err = data.sorted(inside)
      assert.is_nil(sorted)
      assert.truthy(err:find("code 10150 overlaps 10100..10200", 1, true), err)
      local overlapping = assert(codes_with(function(t)
        return t .. line(38500, 40000, "ERR_SPEC_RANGE")
      end))
      sorted, err = data.sorted(overlapping)
      assert.is_nil(sorted)
      assert.truthy(err:find("code 38500 overlaps 38000..39000", 1, true), err)
    end)
end)

describe("the sources of the rows", function()
  it("are listed in data/sources.tsv, each with rows", function()
    assert.is_nil(data.check_sources(rows, sources, source_order))
    local counts = {}
    for _, r in ipairs(rows) do
      counts[r.source] = (counts[r.source] or 0) + 1
    end
    assert.same({ ["page-2020"] = 281, ["page-2023"] = 142,
      ["sdk-header"] = 29, ["rest-docs"] = 21, ["push-page"] = 24,
      ["web-sdk"] = 97 }, counts)
    assert.equal(6, #source_order)
  end)

  it("are checked: an unknown source or a source without rows", function()
    local copy = {}
    for i, r in ipairs(rows) do copy[i] = r end
    copy[#copy + 1] = { code = 424242, last = 424242, source = "page-2024" }
    assert.equal("code 424242: unknown source page-2024",
      data.check_sources(copy, sources, source_order))
    local more = { { source = "page-2099", title = "t", where = "w" } }
    for i, s in ipairs(source_order) do more[i + 1] = s end
    assert.equal("source page-2099 has no row",
      data.check_sources(rows, sources, more))
  end)

  it("give the 2020 page's rows a source no other row has", function()
    for i, r in ipairs(rows) do
      assert.equal(i <= 281, r.source == "page-2020", r.code)
    end
  end)

  it("say what changed only on rows of the 2020 page", function()
    local changed = {}
    for _, r in ipairs(rows) do
      if r.change ~= "" then
        assert.equal("page-2020", r.source)
        changed[#changed + 1] = r.code
      end
    end
    table.sort(changed)
    assert.same({ -10106, -10008, -10006, -10005, -10004, -10003, -10001,
      -302, 0, 1002, 6003, 8001, 8507, 9005, 10007, 10013, 10015, 10036,
      10037, 10038, 20002, 30005, 40005, 80001 }, changed)
    assert.truthy(by_code(8001).change:find("12 KB", 1, true))
    for _, code in ipairs { 0, 40005, 30005 } do
      assert.truthy(by_code(code).change:find("Dropped from the page", 1,
        true), code)
      assert.truthy(by_code(code).change:find("headers still define", 1,
        true), code)
    end
  end)
end)

describe("the parts of the rows", function()
  it("keep the codes only the V3 SDK, the push service or the web SDK gives",
    function()
      local counts = {}
      for _, r in ipairs(rows) do
        counts[r.part] = (counts[r.part] or 0) + 1
      end
      assert.same({ sdk = 111, server = 295, sdk_v3 = 69, push = 9,
        push_sdk = 16, web_sdk = 94 }, counts)
      assert.equal("push", by_code(-203).part)
      assert.equal("push_sdk", by_code(800016).part)
      assert.equal("sdk_v3", by_code(6250).part)
    end)

  it("put the web SDK's own codes in 2000..3153, clear of every other code",
    function()
      for _, r in ipairs(rows) do
        if r.part == "web_sdk" then
          assert.truthy(r.code >= 2000 and r.last <= 3153, r.code)
          assert.equal("web-sdk", r.source)
        elseif r.code >= 2000 and r.code <= 3153 then
          error("code " .. r.code .. " of " .. r.part .. " among web codes")
        end
      end
      -- The web SDK's 1002 (kicked out) is not the server's 1002.
      assert.equal("operation_data", by_code(1002).section)
    end)
end)

describe("the classes of the new rows", function()
  it("keep Tencent's documented rates as minimum delays", function()
    assert.equal(60, by_code(8512).min_delay)
    assert.equal(1, by_code(90051).min_delay)
    assert.equal(0.2, by_code(10049).min_delay)
    assert.equal(1, by_code(8513).min_delay)
    assert.equal(0.3, by_code(23003).min_delay)
    for _, code in ipairs { 8511, 8512, 90051, 10049, 23003 } do
      assert.equal("rate_limited", by_code(code).reason)
    end
  end)

  it("ask for a new UserSig on 70052", function()
    assert.equal("auth", by_code(70052).reason)
    assert.equal("relogin", by_code(70052).action)
  end)

  it("treat the callback ranges as the app's own codes", function()
    for _, code in ipairs { 10100, 10150, 10200, 38000, 38500, 39000,
      120001 } do
      local row = assert(imerr.lookup(code))
      assert.equal("app_defined", row.hint.reason, code)
      assert.equal("fatal", row.hint.class, code)
    end
  end)

  it("retry what Tencent says to retry, and nothing it says not to", function()
    for _, code in ipairs { 6015, 2660, 10056, 23001, 20028, 60022, 9521,
      9523, 2801, 2805, 130014 } do
      assert.equal("transient", by_code(code).class, code)
    end
    for _, code in ipairs { 6213, 6255, 3002, 3003, 3006, 72000, 10058,
      -203, 90052, 6223, 115000 } do
      assert.equal("fatal", by_code(code).class, code)
      assert.equal("none", by_code(code).action, code)
    end
  end)
end)

-- The lists of what Tencent documents since 2020, kept in data/sources
-- (IMERR_REFERENCE names another folder that holds them).
local REFERENCE = os.getenv("IMERR_REFERENCE") or "data/sources"
local since = assert(data.read_tsv(REFERENCE .. "/codes-since-2020.tsv"))
local changes = assert(data.read_tsv(REFERENCE .. "/changes-since-2020.tsv"))

describe("the reference lists in " .. REFERENCE, function()
  it("have every code Tencent documents since 2020 in the table", function()
    assert.equal(313, #since)
    for _, rec in ipairs(since) do
      local code = tonumber(rec.code:match("^%-?%d+"))
      local row = assert(by_code(code), rec.code)
      assert.are_not.equal("page-2020", row.source)
      local name = rec.official_name:gsub("^web:", "")
      if name ~= "" then
        assert.equal(name, row.name, rec.code)
        assert.is_true(row.official, rec.code)
      else
        assert.is_false(row.official, rec.code)
      end
      local part = rec.part == "callback_range" and "server" or rec.part
      assert.equal(part, row.part, rec.code)
    end
  end)

  it("have every change since 2020 on its row", function()
    for _, rec in ipairs(changes) do
      local row = assert(by_code(tonumber(rec.code)), rec.code)
      assert.equal("page-2020", row.source)
      assert.truthy(row.change ~= "", rec.code)
    end
  end)
end)
