-- Tencent's published answer examples (spec/fixtures/rest) through
-- rest.check: for each, exactly the failed items its manifest lists, with
-- their ids and codes, and the right top-level outcome.
local rest = require "imerr.rest"
local api = require "imerr.api"

local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
local DIR = here .. "fixtures/rest/"
local expected = dofile(DIR .. "expected.lua")

local function read(name)
  local f = assert(io.open(DIR .. name, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

-- The failures as {id, code} pairs, without the dropped-message report.
local function pairs_of(failures)
  local out, dropped = {}, nil
  for _, f in ipairs(failures or {}) do
    if f.dropped then
      dropped = f.dropped
    else
      out[#out + 1] = { id = f.id, code = f.code }
    end
  end
  return out, dropped
end

local function want_pairs(e)
  local out = {}
  for i, f in ipairs(e.failures) do out[i] = { id = f.id, code = f.code } end
  return out
end

describe("rest.check on the published answer examples", function()
  local apis = {}
  for _, e in ipairs(expected) do
    apis[e.api] = true
    it(e.file .. " (" .. e.outcome .. ")", function()
      local answer, failures = rest.check(read(e.file), e.api)
      if e.outcome == "fail" then
        assert.is_nil(answer)
        local err = failures
        assert.is_table(err)
        assert.is_number(err.code, err.info)
        if e.top_code and e.top_code ~= 0 then
          assert.equal(e.top_code, err.code)
        end
        assert.same(want_pairs(e), (pairs_of(err.failures)))
      else
        assert.is_table(answer, failures and failures.info)
        local got, dropped = pairs_of(failures)
        assert.same(want_pairs(e), got)
        assert.equal(e.dropped, dropped)
        if e.outcome == "ok" and not e.dropped then
          assert.is_nil(failures)
        end
      end
    end)
  end

  it("covers every catalogued API with per-item results", function()
    local missing = {}
    for path, row in api.each() do
      if #row.items > 0 and not apis[path] then
        missing[#missing + 1] = path
      end
    end
    -- Pages that publish no answer with their per-item list.
    table.sort(missing)
    assert.same({}, missing)
  end)

  it("finds the same items without the api where an answer has an ActionStatus", function()
    for _, e in ipairs(expected) do
      local text = read(e.file)
      if text:find('"ActionStatus"', 1, true) then
        local answer, failures = rest.check(text)
        if not answer then failures = failures.failures end
        assert.same(want_pairs(e), (pairs_of(failures)), e.file)
      end
    end
  end)

  it("reads the answers without an ActionStatus by their ErrorCode, without the api", function()
    local n = 0
    for _, e in ipairs(expected) do
      local text = read(e.file)
      if not text:find('"ActionStatus"', 1, true) then
        n = n + 1
        local answer, failures = rest.check(text)
        if e.outcome == "fail" then
          assert.is_nil(answer, e.file)
          assert.equal(e.top_code, failures.code, e.file)
        else
          assert.is_table(answer, e.file .. ": " .. tostring(failures))
          assert.same(want_pairs(e), (pairs_of(failures)), e.file)
        end
      end
    end
    -- The four openconfigsvr answers.
    assert.equal(4, n)
  end)

  it("gives codes and numeric ids as integers where Lua has them", function()
    if not math.tointeger then return end
    local _, failures = rest.check(read("v4_group_open_http_svc_group_msg_recall.json"),
      "v4/group_open_http_svc/group_msg_recall")
    assert.equal("100", tostring(failures[1].id))
    assert.equal("10030", tostring(failures[1].code))
  end)

  it("names only catalogued APIs", function()
    for path in pairs(apis) do assert.is_table(api.get(path), path) end
  end)
end)
