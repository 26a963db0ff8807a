-- data/codes.tsv, the C table and the error-code page must agree.
local data = require "imerr_data"
local core = require "imerr.core"
local imerr = require "imerr"

local rows = assert(data.read_codes("data/codes.tsv"))
local merged = assert(data.load("data"))

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
  it("holds 594 rows: 591 codes and three ranges", function()
    assert.equal(594, #rows)
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
    local f = assert(io.open("data/classes.tsv", "rb"))
    local text = f:read("*a")
    f:close()
    local path = os.tmpname()
    f = assert(io.open(path, "wb"))
    f:write(edit(text))
    f:close()
    local map, err = data.read_classes(path, rows, reasons)
    os.remove(path)
    return map, err
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
    assert.equal(594, n)
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
