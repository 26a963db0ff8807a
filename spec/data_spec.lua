-- data/: the files against the C table, each other and Tencent's sources.

local data = require "imerr_data"
local imerr = require "imerr"

local rows = assert(data.read_codes("data/codes.tsv"))
local merged = assert(data.load("data"))

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

do
-- data/codes.tsv, the C table and the error-code page must agree.
local core = require "imerr.core"

-- The rows of the 2020 page, in the page's order.
local seed = {}
for _, r in ipairs(rows) do
  if r.source == "page-2020" then seed[#seed + 1] = r end
end

-- core.at's values, in the order the core names them (src/imerr_lua.c
-- writes the list once; nothing on the Lua side numbers the fields).
local FIELDS = core.fields

local function core_row(i)
  local values, row = { core.at(i) }, {}
  for k, field in ipairs(FIELDS) do row[field] = values[k] end
  return row
end

-- A data row with only the fields the C table carries (core.at gives
-- no change as nil).
local function c_fields(r)
  local row = {}
  for _, field in ipairs(FIELDS) do row[field] = r[field] end
  if row.change == "" then row.change = nil end
  return row
end

local function ranges_of(list)
  local out = {}
  for _, r in ipairs(list) do
    if r.last ~= r.code then out[#out + 1] = r.code .. "-" .. r.last end
  end
  return out
end

local function count(list, pred)
  local n = 0
  for _, r in ipairs(list) do
    if pred(r) then n = n + 1 end
  end
  return n
end

describe("data/codes.tsv", function()
  it("holds 600 rows: 597 codes and three ranges", function()
    assert.equal(600, #rows)
    assert.same({ "120001-130000", "10100-10200", "38000-39000" },
      ranges_of(rows))
  end)

  it("starts with the 281 rows of the 2020 page: 280 codes and one range",
    function()
      assert.equal(281, #seed)
      for i = 1, 281 do assert.equal(seed[i], rows[i]) end
      assert.same({ "120001-130000" }, ranges_of(seed))
    end)

  it("names 249 seed codes and 383 in all with Tencent's official names",
    function()
      local function official(r) return r.official end
      assert.equal(249, count(seed, official))
      -- 383 from the SDK headers, 97 from the web SDK's ERROR_CODE table
      assert.equal(383 + 97, count(rows, official))
    end)

  it("keeps Tencent's own misspellings", function()
    assert.equal("ERR_SVR_MSG_DEL_RAMBLE_INTERNAL_ERROR", imerr.name(20018))
  end)

  it("has no overlapping codes", function()
    assert.truthy(data.sorted(rows))
  end)
end)

describe("the C table", function()
  it("has every data row, with the same fields", function()
    assert.equal(#rows, core.count())
    for _, r in ipairs(merged) do
      local i = core.find(r.code)
      assert.truthy(i, r.code)
      assert.same(c_fields(r), core_row(i))
      assert.equal(i, core.find_name(r.name))
      assert.equal(i, core.find(r.last))
    end
  end)

  it("has nothing that data lacks, in strictly ascending order", function()
    local by_code = {}
    for _, r in ipairs(merged) do by_code[r.code] = c_fields(r) end
    local previous_last = -math.huge
    for i = 1, core.count() do
      local row = core_row(i)
      assert.same(by_code[row.code], row)
      assert.truthy(row.code > previous_last)
      previous_last = row.last
    end
    assert.is_nil(core.at(0))
    assert.is_nil(core.at(core.count() + 1))
  end)

  it("names its fields once, for core.at and core.column alike", function()
    assert.same({ "code", "last", "name", "official", "part", "section",
      "message", "class", "reason", "action", "severity", "min_delay",
      "http_status", "source", "change", "ambiguous" }, FIELDS)
    local columns = {}
    for k, field in ipairs(FIELDS) do columns[k] = core.column(field) end
    for _, i in ipairs { 1, 100, core.count() } do
      local values = { core.at(i) }
      assert.equal(#FIELDS, select("#", core.at(i)))
      for k = 1, #FIELDS do assert.equal(values[k], columns[k][i]) end
    end
    assert.equal(9510, core.column("code")[core.find(9510)])
    assert.has_error(function() core.column("nope") end)
    assert.has_error(function() core.column(1) end)
  end)

  it("finds nothing between codes", function()
    assert.is_nil(core.find(1))
    assert.is_nil(core.find(120000))
    assert.is_nil(core.find(130006))
    assert.is_nil(core.find(10099))
    assert.is_nil(core.find(10201))
    assert.is_nil(core.find(37999))
    assert.is_nil(core.find(39001))
    assert.is_nil(core.find(core.CODE_MIN))
    assert.is_nil(core.find(core.CODE_MAX))
    assert.is_nil(core.find(0.5))
    assert.is_nil(core.find_name("ERR_SUCC\0"))
  end)
end)

-- The page itself, kept in data/sources (IMERR_PAGE names another copy).
local PAGE = os.getenv("IMERR_PAGE") or "data/sources/page-2020.txt"
local page_file = assert(io.open(PAGE, "rb"))

local function page_rows(file)
  local out, in_table = {}, false
  for line in file:lines() do
    local text = line:match("^%s*(.-)%s*$")
    if text:match("^Was this page helpful") then break end
    local first, last, message = text:match("^(%-?%d+) %- (%d+) (.+)$")
    if not first then first, message = text:match("^(%-?%d+) (.+)$") end
    if text == "Error Code Description" then
      in_table = true
    elseif text == "" then
      in_table = false
    elseif first and in_table then
      out[#out + 1] = { code = tonumber(first),
        last = tonumber(last or first), message = message }
    elseif in_table and #out > 0 then
      out[#out].message = out[#out].message .. "\n" .. text
    end
  end
  return out
end

describe("the error-code page " .. PAGE, function()
  it("has exactly the page-2020 rows of data/, in the same order", function()
    local page = page_rows(page_file)
    page_file:close()
    assert.equal(#seed, #page)
    for i, r in ipairs(seed) do
      assert.same(page[i], { code = r.code, last = r.last,
        message = r.message })
    end
  end)
end)

describe("data/classes.tsv", function()
  local reasons = assert(data.read_reasons("data/reasons.tsv"))

  -- read_classes on the real file with its text changed by edit(text).
  local function classes_with(edit)
    return with_edit("data/classes.tsv", edit, function(path)
      return data.read_classes(path, rows, reasons)
    end)
  end

  it("classifies every row once, with a reason and an action", function()
    local map = assert(classes_with(function(t) return t end))
    local n = 0
    for code, c in pairs(map) do
      n = n + 1
      assert.truthy(imerr.lookup(code), code)
      assert.truthy(reasons[c.reason])
      assert.truthy(data.ACTIONS[c.class][c.action])
      assert.truthy(c.why ~= "")
    end
    assert.equal(600, n)
  end)

  it("fails on a missing code", function()
    local map, err = classes_with(function(t)
      return (t:gsub("\t0\tsuccess", "\t\tsuccess"))
    end)
    assert.is_nil(map)
    assert.truthy(err:find("code 0 is not classified", 1, true), err)
  end)

  it("fails on a stale or twice-classified code", function()
    local map, err = classes_with(function(t)
      return (t:gsub("\t0\tsuccess", "\t0 424242\tsuccess"))
    end)
    assert.is_nil(map)
    assert.truthy(err:find("no such code 424242", 1, true), err)
    map, err = classes_with(function(t)
      return (t:gsub("\t0\tsuccess", "\t0 9510\tsuccess"))
    end)
    assert.is_nil(map)
    assert.truthy(err:find("classified twice", 1, true), err)
  end)

  it("fails on an action that does not fit the class", function()
    local map, err = classes_with(function(t)
      return (t:gsub("conflict\tretry", "conflict\tnone"))
    end)
    assert.is_nil(map)
    assert.truthy(err:find("does not fit class transient", 1, true), err)
  end)

  it("fails on unknown reasons and reasons imerr keeps for itself", function()
    for _, reason in ipairs { "sunspots", "unknown", "invalid" } do
      local map, err = classes_with(function(t)
        return (t:gsub("\nconflict\t", "\n" .. reason .. "\t"))
      end)
      assert.is_nil(map)
      assert.truthy(err:find("unknown reason", 1, true), err)
    end
  end)
end)
end

do
-- The files of data/ held against each other: codes, names, ranges,
-- sources, changes and classes; and, when at hand, against the reference
-- lists of the codes Tencent documents since the 2020 page.
local sources, source_order = assert(data.read_sources("data/sources.tsv"))

local function by_code(code)
  for _, r in ipairs(merged) do
    if r.code == code then return r end
  end
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
    assert.equal(600, n)
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
      ["web-sdk"] = 97, ["live-docs"] = 6 }, counts)
    assert.equal(7, #source_order)
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
      assert.same({ sdk = 111, server = 301, sdk_v3 = 69, push = 9,
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
end
