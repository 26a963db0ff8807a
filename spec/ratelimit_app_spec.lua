-- imerr.ratelimit.for_api keys the app by its canonical SDKAppID: one
-- bucket for 1400000001 however it is written, and no bucket for anything
-- that is not an SDKAppID.
local ratelimit = require "imerr.ratelimit"
local store = require "imerr.store"

local function limiter(app, s)
  return ratelimit.for_api("v4/group_open_http_svc/get_appid_group_list",
    { app = app, store = s or store.memory { clock = function() return 0 end } })
end

describe("ratelimit.for_api's app", function()
  it("is keyed by its canonical number", function()
    for _, app in ipairs { 1400000001, 1400000001.0, "1400000001",
      "01400000001", "0001400000001", ("0"):rep(10) .. "1400000001" } do
      local l = assert(limiter(app))
      assert.equal("imerr:rl:1400000001:v4/group_open_http_svc/" ..
        "get_appid_group_list", l.key, tostring(app))
    end
  end)

  it("shares one bucket between the ways of writing it", function()
    local s = store.memory { clock = function() return 0 end }
    assert.equal(0, assert(limiter("1400000001", s)):take())
    -- 1 call a second, a burst of 1: the others must wait
    for _, app in ipairs { "01400000001", 1400000001, "001400000001" } do
      local wait = assert(limiter(app, s)):take()
      assert.truthy(wait > 0.9, tostring(app))
    end
  end)

  it("takes 1 and 2^32-1, the ends of the range", function()
    assert.equal("imerr:rl:1:v4/group_open_http_svc/get_appid_group_list",
      assert(limiter("0001")).key)
    assert.equal("imerr:rl:4294967295:v4/group_open_http_svc/" ..
      "get_appid_group_list", assert(limiter(4294967295)).key)
    assert.truthy(limiter("4294967295"))
    assert.truthy(limiter("0004294967295"))
  end)

  it("refuses anything else, saying what it needs", function()
    for _, app in ipairs { 0, "0", "000", "", -1, "-1", 1.5, "1.5", "1e9",
      " 1400000001", "1400000001 ", "+1400000001", "0x53724E61",
      "%31400000001", "14000000０1", 4294967296, "4294967296", "9999999999",
      "14000000001", 2 ^ 53, 1 / 0, -1 / 0, 0 / 0, ("1"):rep(21),
      ("0"):rep(11) .. "1400000001", true, {}, function() end } do
      local l, err = limiter(app)
      assert.is_nil(l, tostring(app))
      assert.matches("SDKAppID", err)
      assert.matches("1 .. 4294967295", err, 1, true)
    end
    local l, err = ratelimit.for_api("v4/openim/sendmsg", {})
    assert.is_nil(l)
    assert.matches("SDKAppID", err)
  end)
end)
