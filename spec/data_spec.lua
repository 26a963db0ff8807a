-- data/codes.tsv, the C table and the error-code page must agree.
local data = require "imerr_data"
local core = require "imerr.core"
local imerr = require "imerr"

local rows = assert(data.read_codes("data/codes.tsv"))

local function core_row(i)
  local code, last, name, official, part, section, message = core.at(i)
  return {
    code = code, last = last, name = name, official = official,
    part = part, section = section, message = message,
  }
end

describe("data/codes.tsv", function()
  it("holds 281 rows: 280 codes and one range", function()
    assert.equal(281, #rows)
    local ranges = 0
    for _, r in ipairs(rows) do
      if r.last ~= r.code then ranges = ranges + 1 end
    end
    assert.equal(1, ranges)
  end)

  it("names 249 codes with Tencent's official names", function()
    local official = 0
    for _, r in ipairs(rows) do
      if r.official then official = official + 1 end
    end
    assert.equal(249, official)
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
    for _, r in ipairs(rows) do
      local i = core.find(r.code)
      assert.truthy(i, r.code)
      assert.same(r, core_row(i))
      assert.equal(i, core.find_name(r.name))
      assert.equal(i, core.find(r.last))
    end
  end)

  it("has nothing that data lacks, in strictly ascending order", function()
    local by_code = {}
    for _, r in ipairs(rows) do by_code[r.code] = r end
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

  it("finds nothing between codes", function()
    assert.is_nil(core.find(1))
    assert.is_nil(core.find(120000))
    assert.is_nil(core.find(130001))
    assert.is_nil(core.find(core.CODE_MIN))
    assert.is_nil(core.find(core.CODE_MAX))
    assert.is_nil(core.find(0.5))
    assert.is_nil(core.find_name("ERR_SUCC\0"))
  end)
end)

-- The page itself, when it is at hand (IMERR_PAGE or ../shared/seed).
local PAGE = os.getenv("IMERR_PAGE") or
  "../shared/seed/000_bf142cf8791200b7.txt"
local page_file = io.open(PAGE, "rb")

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

local describe_page = page_file and describe or pending
describe_page("the error-code page " .. PAGE, function()
  it("has exactly the rows of data/, in the same order", function()
    local page = page_rows(page_file)
    page_file:close()
    assert.equal(#rows, #page)
    for i, r in ipairs(rows) do
      assert.same(page[i], { code = r.code, last = r.last,
        message = r.message })
    end
  end)
end)
