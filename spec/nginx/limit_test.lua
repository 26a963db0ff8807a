-- The app (sdkappid) of a proxied request and its rate limit, in a real
-- nginx started by spec/nginx/run.sh (IMERR_NGINX, IMERR_MOCK). The
-- proxy reads sdkappid once, as its canonical number, and refuses a
-- request without a valid one before any limiter or upstream call.
local socket = require "socket"
local http = require "socket.http"
local ltn12 = require "ltn12"
local cjson = require "cjson"
local client = require "nginx.client"

local BASE, MOCK, RUN = client.BASE, client.MOCK, client.RUN
local request = client.request

-- A 1 call a second API (a burst of 1), in the location whose 0.5 s
-- deadline leaves a second call no room.
local ONE_A_SECOND = "/limited/v4/group_open_http_svc/get_appid_group_list"

-- POSTs to the proxy at path with "scenario=ok&id=...&" .. query; returns
-- status, decoded body, headers and the mock's record.
local function call(path, query)
  local id = "app-" .. RUN .. "-" .. math.random(1e9)
  local status, text, headers = request(("%s%s?scenario=ok&id=%s&%s"):format(
    BASE, path, id, query), '{"To_Account":"x"}')
  local _, stats = request(MOCK .. "/mock/stats?id=" .. id)
  return status, cjson.decode(text), headers, cjson.decode(stats)
end

-- A fresh 10-digit SDKAppID, as text.
local function fresh()
  return tostring(math.random(1400000000, 2099999999))
end

describe("a request without a valid sdkappid", function()
  -- with scenario and id, 17 arguments
  local many = {}
  for i = 1, 14 do many[i] = "a" .. i .. "=1" end
  local CASES = {
    { "", "missing" },
    { "other=1400000001", "missing" },
    { "sdkappid", "bare" },
    { "sdkappid=", "empty" },
    { "sdkappid=abc", "letters" },
    { "sdkappid=-1400000001", "a sign" },
    { "sdkappid=%2B1400000001", "an encoded sign" },
    { "sdkappid=%201400000001", "an encoded space" },
    { "sdkappid=1400000001%00", "an encoded NUL" },
    { "sdkappid=1.4e9", "a float" },
    { "sdkappid=0x53724E61", "hexadecimal" },
    { "sdkappid=0", "zero" },
    { "sdkappid=0000", "zeros" },
    { "sdkappid=4294967296", "2^32" },
    { "sdkappid=99999999999", "11 digits" },
    { "sdkappid=" .. ("1"):rep(2048), "2 KB of digits" },
    { "sdkappid=" .. ("x"):rep(2048), "2 KB of junk" },
    { "sdkappid=1400000001&sdkappid=1400000001", "repeated" },
    { "sdkappid=&sdkappid=1400000001", "repeated, the first empty" },
    { "sdkappid=1400000001&sdk%61ppid=1400000002", "repeated, escaped" },
    { table.concat(many, "&") .. "&sdkappid=1400000001",
      "past 16 arguments" },
  }

  for _, prefix in ipairs { "", "/nolimit" } do
    it("gets 400 before any upstream call (" .. (prefix == "" and
      "limits on" or "limits off") .. ")", function()
      for _, case in ipairs(CASES) do
        local status, body, _, stats = call(prefix .. "/v4/openim/sendmsg",
          case[1])
        assert.equal(400, status, case[2])
        assert.equal("bad_sdkappid", body.reason, case[2])
        assert.matches("sdkappid", body.info, 1, true)
        assert.equal(0, stats.attempts, case[2])
      end
    end)
  end
end)

describe("a valid sdkappid", function()
  it("goes upstream as its canonical number, the other arguments as sent",
    function()
      for _, prefix in ipairs { "", "/nolimit" } do
        local app = fresh()
        local status, _, _, stats = call(prefix .. "/v4/profile/portrait_get",
          "x=%41%2B&sdk%61ppid=%30" .. app .. "&y")
        assert.equal(200, status, prefix)
        assert.equal(1, stats.attempts)
        assert.truthy(stats.args:find("&x=%41%2B&sdkappid=" .. app .. "&y",
          1, true), stats.args)
      end
    end)

  it("is read among 16 arguments", function()
    -- with scenario and id, 16 arguments
    local many = {}
    for i = 1, 13 do many[i] = "a" .. i .. "=1" end
    local status = call("/v4/profile/portrait_get",
      table.concat(many, "&") .. "&sdkappid=" .. fresh())
    assert.equal(200, status)
  end)

  it("takes 1 and 4294967295, the ends of the range", function()
    for _, app in ipairs { "1", "0001", "4294967295" } do
      local status = call("/nolimit/v4/profile/portrait_get", "sdkappid=" .. app)
      assert.equal(200, status, app)
    end
  end)

  it("has one bucket however it is written", function()
    -- "%3" .. "1400000001" is "%31400000001": the first digit escaped
    for _, form in ipairs { "0%s", "%%3%s", "000%s" } do
      local app = fresh()
      local t0 = socket.gettime()
      local s1 = call(ONE_A_SECOND, "sdkappid=" .. app)
      local s2, body, headers, stats = call(ONE_A_SECOND,
        "sdkappid=" .. form:format(app))
      local took = socket.gettime() - t0
      assert.equal(200, s1)
      -- the second call of a 1/s API, well within its second
      assert.truthy(took < 0.5, took)
      assert.equal(429, s2, form)
      assert.equal("rate_limited", body.reason)
      assert.equal("rate_limited", headers["x-imerr-stop"])
      assert.equal(0, stats.attempts)
    end
  end)
end)

describe("the wait for a limiter", function()
  -- GET with a 3 s timeout: a frozen worker never answers.
  local function get(url)
    local out = {}
    local _, status = http.request { url = url, sink = ltn12.sink.table(out),
      create = function()
        local s = socket.tcp()
        s:settimeout(3)
        return s
      end }
    return status, table.concat(out)
  end

  it("ends whatever the limiter answers, sleeping 1 ms at least", function()
    for _, case in ipairs {
      -- a wait, the stop: at most 100 turns of 1 ms, or the stop
      { "1e-9", 0.05 }, { "0.0004", 0.05 }, { "0.0009", 0.05 },
      { "0.0015", 0.05 }, { "nan", 0.05 }, { "1e-9", 1000 },
      { "nan", 1000 }, { "0.0004", 1000 },
    } do
      local what = case[1] .. " until " .. case[2] .. " s"
      local status, text = get(("%s/limit-wait?wait=%s&stop=%s"):format(
        BASE, case[1], case[2]))
      assert.equal(200, status, what)
      local go, turns, took = text:match("^(%a+) (%d+) (%S+)")
      assert.equal("false", go, what)
      turns, took = tonumber(turns), tonumber(took)
      assert.truthy(turns <= 100, what .. ": " .. turns .. " turns")
      -- every turn but the last slept 1 ms or more
      assert.truthy(took >= (turns - 1) * 0.001, what .. ": " .. took .. " s")
      assert.truthy(took < 1, what .. ": " .. took .. " s")
    end
  end)

  it("lets the call go when the limiter says 0", function()
    local _, text = get(BASE .. "/limit-wait?wait=0&stop=1")
    assert.matches("^true 1 ", text)
  end)
end)
