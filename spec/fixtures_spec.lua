-- The published REST answer examples in spec/fixtures/rest: every file is
-- listed in expected.lua, decodes, and holds what its entry says it holds.
local cjson = require "cjson.safe"
local lfs = require "lfs"

local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
local DIR = here .. "fixtures/rest/"
local expected = dofile(DIR .. "expected.lua")

local function read(name)
  local f = io.open(DIR .. name, "rb")
  if not f then return nil end
  local text = f:read("*a")
  f:close()
  return text
end

-- Whether `want` is a value anywhere in the decoded answer.
local function holds(v, want)
  if v == want then return true end
  if type(v) ~= "table" then return false end
  for _, x in pairs(v) do
    if holds(x, want) then return true end
  end
  return false
end

-- Whether one object of the answer has `id` and `code` among its values,
-- looking one level into nested objects (Extension.Key, TopicInfo.TopicId).
local function item_with(v, id, code)
  if type(v) ~= "table" then return false end
  local has_id, has_code = false, false
  for _, x in pairs(v) do
    if x == id or (type(x) == "table" and x[1] == nil and holds(x, id)) then
      has_id = true
    end
    if x == code then has_code = true end
  end
  if has_id and has_code then return true end
  for _, x in pairs(v) do
    if item_with(x, id, code) then return true end
  end
  return false
end

local OUTCOMES = { ok = true, partial = true, fail = true }

describe("REST answer fixtures", function()
  it("lists each json file of the folder once", function()
    local listed = {}
    for _, e in ipairs(expected) do
      assert.is_nil(listed[e.file], e.file .. " listed twice")
      listed[e.file] = true
    end
    local seen = 0
    for name in lfs.dir(DIR) do
      if name:match("%.json$") then
        seen = seen + 1
        assert.is_true(listed[name], name .. " is not in expected.lua")
      end
    end
    assert.equal(#expected, seen)
    assert.is_true(seen > 0)
  end)

  for _, e in ipairs(expected) do
    describe(e.file, function()
      local doc = cjson.decode(read(e.file) or "")

      it("exists and decodes to an object", function()
        assert.is_string(read(e.file), "missing")
        assert.is_table(doc, "not valid JSON")
      end)

      it("is named after its API and cites its page", function()
        local stem = e.api:gsub("/", "_")
        assert.truthy(e.api:match("^v4/[%w_]+/[%w_]+$"), e.api)
        assert.truthy(e.file == stem .. ".json"
          or e.file:match("^" .. stem:gsub("%p", "%%%0") .. "_%d+%.json$"), e.file)
        assert.truthy(e.source:match("^yehe_doc/.+_intl_%a%a%.md@%x+$"), e.source)
        assert.truthy(OUTCOMES[e.outcome], tostring(e.outcome))
        assert.is_table(e.failures)
      end)

      it("agrees with the answer's top level", function()
        if type(doc) ~= "table" then return end
        local code = doc.ErrorCode
        assert.equal(type(code) == "number" and code or nil, e.top_code)
        local status = doc.ActionStatus
        if e.outcome == "ok" then
          assert.same({}, e.failures)
          assert.is_true(status == nil or status == "OK", tostring(status))
        elseif e.outcome == "partial" then
          assert.is_true(#e.failures > 0 or status == "SomeError")
          assert.is_true(status ~= "FAIL")
        else
          assert.is_true(status == "FAIL" or (code ~= nil and code ~= 0))
        end
        assert.equal(e.dropped, doc.MsgDropReason)
      end)

      it("holds every failed id (with its code) it lists", function()
        if type(doc) ~= "table" then return end
        for _, f in ipairs(e.failures) do
          assert.truthy(type(f.id) == "string" or type(f.id) == "number")
          assert.is_true(holds(doc, f.id), tostring(f.id) .. " not in the answer")
          if f.code ~= nil then
            assert.is_true(f.code ~= 0)
            assert.is_true(item_with(doc, f.id, f.code),
              tostring(f.id) .. " has no item with code " .. f.code)
          end
        end
      end)
    end)
  end
end)
