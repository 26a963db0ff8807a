-- The run fails on a pending spec that spec/pending_allowed.lua does not
-- excuse, and passes on one it does.
local function busted_on(body)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir " .. dir))
  local f = assert(io.open(dir .. "/probe_spec.lua", "w"))
  f:write(body)
  f:close()
  local out = os.tmpname()
  local ok, _, code = os.execute(("IMERR_REDIS= busted --helper=spec/pending_guard.lua " ..
    "-o TAP %s/probe_spec.lua >%s 2>&1"):format(dir, out))
  f = assert(io.open(out))
  local text = f:read("*a")
  f:close()
  os.remove(out)
  os.execute("rm -rf " .. dir)
  -- Lua 5.1 gives the status alone.
  if type(ok) == "number" then code = ok end
  return code, text
end

describe("spec/pending_guard.lua", function()
  it("fails a run with a pending spec nobody excused", function()
    local code, text = busted_on([[
      describe("probe", function() pending("not written yet") end)]])
    assert.are_not.equal(0, code)
    assert.matches("probe not written yet", text, 1, true)
  end)

  it("passes a run whose pending spec the list excuses here", function()
    local code, text = busted_on([[
      pending("store.redis on a real server")]])
    assert.equal(0, code, text)
  end)

  it("passes a run with no pending spec", function()
    local code, text = busted_on([[
      describe("probe", function() it("runs", function() end) end)]])
    assert.equal(0, code, text)
  end)
end)
