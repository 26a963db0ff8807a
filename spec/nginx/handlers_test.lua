-- The OpenResty example handlers, driven over HTTP in a real nginx started
-- by spec/nginx/run.sh (IMERR_NGINX, IMERR_MOCK).
local socket = require "socket"
local cjson = require "cjson"
local client = require "nginx.client"

local BASE, MOCK, RUN, app = client.BASE, client.MOCK, client.RUN, client.app
local request = client.request

-- Calls the proxy with a scenario of the mock (for an app of its own,
-- unless query names one); returns status, decoded JSON body, headers and
-- the mock's record of the attempts.
local function im(scenario, path, query)
  local id = scenario .. "-" .. RUN .. "-" .. math.random(1e9)
  local status, body, headers = request(("%s%s?scenario=%s&id=%s%s"):format(
    BASE, path or "/v4/profile/portrait_get", scenario, id, query or app()),
    '{"To_Account":"x"}')
  local _, stats = request(MOCK .. "/mock/stats?id=" .. id)
  return status, cjson.decode(body), headers, cjson.decode(stats)
end

local function gaps(times)
  local out = {}
  for i = 2, #times do out[#out + 1] = times[i] - times[i - 1] end
  return out
end

describe("the REST proxy", function()
  it("passes a success through", function()
    local status, body, headers, stats = im("ok")
    assert.equal(200, status)
    assert.equal("OK", body.ActionStatus)
    assert.equal("1", headers["x-imerr-attempts"])
    assert.equal(1, stats.attempts)
  end)

  it("retries 70169 once, quickly, then succeeds", function()
    local status, body, headers, stats = im("flaky")
    assert.equal(200, status)
    assert.equal("OK", body.ActionStatus)
    assert.equal(2, stats.attempts)
    assert.equal("2", headers["x-imerr-attempts"])
    assert.truthy(gaps(stats.times)[1] < 0.05)
  end)

  it("backs off slower on 60007, then answers 429", function()
    local status, body, headers, stats = im("throttled")
    assert.equal(429, status)
    assert.equal(60007, body.code)
    assert.equal("ERR_SVR_COMM_REST_FREQ_LIMIT", body.name)
    assert.equal("transient", body.class)
    assert.equal("reduce_rate", body.action)
    assert.equal(3, body.attempts)
    assert.equal("max_attempts", headers["x-imerr-stop"])
    assert.equal(3, stats.attempts)
    local g = gaps(stats.times)
    -- throttle base 0.05 s, doubled: at least 0.05 s, then 0.1 s
    assert.truthy(g[1] >= 0.045, g[1])
    assert.truthy(g[2] >= 0.095, g[2])
  end)

  it("does not retry 70001 and asks for a new UserSig", function()
    local status, body, headers, stats = im("relogin")
    assert.equal(401, status)
    assert.equal(70001, body.code)
    assert.equal("fatal", body.class)
    assert.equal("relogin", body.action)
    assert.equal("UserSig expired", body.info)
    assert.truthy(body.request_id:find("^mock%-"))
    assert.equal("relogin", headers["x-imerr-stop"])
    assert.equal(1, stats.attempts)
  end)

  it("reports the failed items of a partial batch", function()
    local status, body, headers, stats = im("partial", "/v4/openim/batchsendmsg")
    assert.equal(200, status)
    assert.equal(2, #body.ErrorList)
    assert.equal("2", headers["x-imerr-failed-items"])
    assert.equal(1, stats.attempts)
  end)

  it("answers 502 for junk and empty bodies, without retrying", function()
    for _, scenario in ipairs { "junk", "empty" } do
      local status, body, _, stats = im(scenario)
      assert.equal(502, status)
      assert.equal("bad_response", body.reason)
      assert.equal(1, stats.attempts)
    end
  end)

  it("retries a 502 from the upstream, then answers 502", function()
    local status, body, _, stats = im("bad_gateway")
    assert.equal(502, status)
    assert.equal("server_error", body.reason)
    assert.equal("transient", body.class)
    assert.equal(3, stats.attempts)
  end)

  it("does not retry a 404 from the upstream", function()
    local status, body, _, stats = im("not_found")
    assert.equal(502, status)
    assert.equal("bad_response", body.reason)
    assert.equal(1, stats.attempts)
  end)

  it("never repeats batchsendmsg after an ambiguous failure", function()
    for _, scenario in ipairs { "bad_gateway", "flaky" } do
      local status, body, headers, stats = im(scenario, "/v4/openim/batchsendmsg")
      assert.equal(1, stats.attempts, scenario)
      assert.equal("ambiguous", headers["x-imerr-stop"], scenario)
      assert.equal("transient", body.class, scenario)
      assert.truthy(status == 502 or status == 504, scenario)
    end
  end)

  it("repeats sendmsg after an ambiguous failure: Tencent discards a copy", function()
    local status, body, _, stats = im("flaky", "/v4/openim/sendmsg")
    assert.equal(200, status)
    assert.equal("OK", body.ActionStatus)
    assert.equal(2, stats.attempts)
    status, body, _, stats = im("bad_gateway", "/v4/openim/sendmsg")
    assert.equal(502, status)
    assert.equal("server_error", body.reason)
    assert.equal(3, stats.attempts)
  end)

  it("still repeats sendmsg after a refusal that did nothing (60007)", function()
    local status, body, _, stats = im("throttled", "/v4/openim/sendmsg")
    assert.equal(429, status)
    assert.equal(60007, body.code)
    assert.equal(3, stats.attempts)
  end)

  it("reads the per-item failures of the API called", function()
    local status, body, headers, stats = im("friends", "/v4/sns/friend_add")
    assert.equal(200, status)
    assert.equal("OK", body.ActionStatus)
    assert.equal("2", headers["x-imerr-failed-items"])
    assert.equal(1, stats.attempts)
  end)

  it("keeps an app under its API's documented rate", function()
    -- get_appid_group_list: 1 call a second, a burst of 1; the second
    -- call would wait past the location's 0.5 s deadline.
    local path = "/limited/v4/group_open_http_svc/get_appid_group_list"
    local one = app()
    local s1, _, _, st1 = im("ok", path, one)
    local s2, body, headers, st2 = im("ok", path, one)
    assert.equal(200, s1)
    assert.equal(1, st1.attempts)
    assert.equal(429, s2)
    assert.equal("rate_limited", body.reason)
    assert.equal("rate_limited", headers["x-imerr-stop"])
    assert.equal(0, st2.attempts)
  end)

  it("shares one budget between workers and refuses when it is empty",
    function()
      -- capacity 10, cost 5: two retries in all, whichever worker asks
      local attempts, stops = 0, {}
      for _ = 1, 4 do
        local _, _, headers, stats = im("bad_gateway", "/budget/v4/profile/portrait_get")
        attempts = attempts + stats.attempts
        stops[#stops + 1] = headers["x-imerr-stop"]
      end
      assert.equal(4 + 2, attempts)
      assert.equal("budget", stops[4])
    end)
end)

describe("the callback endpoint", function()
  local function answer(text)
    local status, body = request(BASE .. "/im/callback?CallbackCommand=" ..
      "C2C.CallbackBeforeSendMsg" .. client.signed(), cjson.encode {
        CallbackCommand = "C2C.CallbackBeforeSendMsg", From_Account = "a",
        To_Account = "b", MsgBody = { { MsgType = "TIMTextElem",
          MsgContent = { Text = text } } } })
    return status, cjson.decode(body)
  end

  it("allows, rejects with an app code, rejects and drops", function()
    local _, status, body
    status, body = answer("hello")
    assert.equal(200, status)
    assert.same({ ActionStatus = "OK", ErrorCode = 0, ErrorInfo = "" }, body)
    _, body = answer("a forbidden word")
    assert.equal(120001, body.ErrorCode)
    assert.equal("this message breaks the house rules", body.ErrorInfo)
    _, body = answer("buy spam")
    assert.equal(1, body.ErrorCode)
    _, body = answer("say it quietly")
    assert.equal(2, body.ErrorCode)
  end)

  it("answers 400 to a body that is not JSON", function()
    local status = request(BASE .. "/im/callback?" .. client.signed(),
      "not json")
    assert.equal(400, status)
  end)
end)

describe("the metrics page", function()
  it("counts requests, failed attempts and failed items by API and code",
    function()
      im("config")
      -- The log phase counts after the answer is sent: wait for it (1 s at
      -- most) rather than race it.
      local status, text
      local config = 'imerr_failures_total{api="v4/profile/portrait_get",' ..
        'class="fatal",reason="config",code="70009"} '
      for _ = 1, 100 do
        status, text = request(BASE .. "/metrics")
        if text:find(config, 1, true) then break end
        socket.sleep(0.01)
      end
      assert.equal(200, status)
      assert.truthy(text:find(config, 1, true))
      assert.truthy(text:find("# TYPE imerr_requests_total counter", 1, true))
      assert.truthy(text:find("# TYPE imerr_upstream_duration_seconds " ..
        "histogram", 1, true))
      assert.truthy(tonumber(text:match('imerr_requests_total{api="v4/' ..
        'profile/portrait_get",outcome="failed"} (%d+)')) >= 1)
      assert.truthy(tonumber(text:match('imerr_requests_total{api="v4/' ..
        'profile/portrait_get",outcome="ok"} (%d+)')) >= 1)
      -- the partial batch above: 70107 and 90012
      assert.truthy(text:find('imerr_item_failures_total{api="v4/openim/' ..
        'batchsendmsg",class="fatal",reason="[%a_]+",code="70107"} %d'))
      -- 60007 three times a request, retried twice
      assert.truthy(tonumber(text:match('imerr_failures_total{api="v4/' ..
        'profile/portrait_get",class="transient",reason="rate_limited",' ..
        'code="60007"} (%d+)')) >= 3)
      assert.truthy(tonumber(text:match('imerr_retries_total{api="v4/' ..
        'profile/portrait_get"} (%d+)')) >= 2)
      -- the callbacks above
      assert.truthy(tonumber(text:match('imerr_callbacks_total{command=' ..
        '"C2C.CallbackBeforeSendMsg",answer="allowed"} (%d+)')) >= 1)
    end)
end)

describe("imerr installed from the rockspec for nginx's LuaJIT", function()
  it("classifies inside a handler", function()
    local _, body = request(MOCK .. "/classify?code=9510")
    assert.equal("transient timeout\n", body)
    _, body = request(MOCK .. "/classify?code=70001")
    assert.equal("fatal auth\n", body)
  end)
end)
