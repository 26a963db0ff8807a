-- rest.check's JSON depth limit at its real bound: MAX_DEPTH levels are
-- read, MAX_DEPTH + 1 are refused. lua-cjson's own default (1000) accepts
-- both, so removing the limit fails these tests.
local rest = require "imerr.rest"

local SHAPES = {
  objects = { open = '{"a":', empty = "{}", close = "}" },
  arrays = { open = "[", empty = "[]", close = "]" },
}

-- An OK answer nested depth levels in all (the answer itself is level 1).
local function text(depth, shape)
  local s = SHAPES[shape]
  return '{"ActionStatus":"OK","ErrorCode":0,"Deep":' .. s.open:rep(depth - 2) ..
    s.empty .. s.close:rep(depth - 2) .. "}"
end

describe("rest.check JSON depth", function()
  local MAX = rest.MAX_DEPTH

  it("counts levels as the decoder does", function()
    assert.equal('{"ActionStatus":"OK","ErrorCode":0,"Deep":[[]]}', text(3, "arrays"))
  end)

  it("is a bound well below the decoder's default", function()
    assert.is_number(MAX)
    assert.is_true(MAX >= 8 and MAX < 1000)
  end)

  for shape in pairs(SHAPES) do
    it("reads " .. shape .. " nested MAX_DEPTH levels", function()
      local ok, err = rest.check(text(MAX, shape))
      assert.is_table(ok, err and err.info)
      assert.equal("OK", ok.ActionStatus)
      local v = ok.Deep -- the innermost value is MAX - 2 levels under Deep
      for _ = 1, MAX - 2 do v = shape == "objects" and v.a or v[1] end
      assert.same({}, v)
    end)

    it("refuses " .. shape .. " nested MAX_DEPTH + 1 levels", function()
      local ok, err = rest.check(text(MAX + 1, shape))
      assert.is_nil(ok)
      assert.equal("bad_response", err.reason)
      assert.equal(502, err.http_status)
      assert.truthy(err.info:find("not JSON", 1, true), err.info)
    end)
  end

  it("refuses MAX_DEPTH + 1 in a failed answer before reading its code", function()
    local deep = ("["):rep(MAX) .. ("]"):rep(MAX)
    local ok, err = rest.check('{"ActionStatus":"FAIL","ErrorCode":70001,"X":' ..
      deep .. "}")
    assert.is_nil(ok)
    assert.equal("bad_response", err.reason)
    assert.is_nil(err.code)
  end)
end)
