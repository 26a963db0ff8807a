-- The OpenResty example's metrics, request log and generated alerts, end to
-- end: a fault mix through the proxy (two workers) against the mock, the
-- counts on /metrics and in a real Prometheus, the alerts Prometheus
-- evaluates. Run by spec/prometheus/run.sh (IMERR_NGINX, IMERR_MOCK,
-- IMERR_PROM, IMERR_LOGS).
local socket = require "socket"
local url = require "socket.url"
local cjson = require "cjson"
local client = require "nginx.client"

local BASE, RUN, request = client.BASE, client.RUN, client.request
local PROM = assert(os.getenv("IMERR_PROM"))
local LOGS = assert(os.getenv("IMERR_LOGS"))

-- What the specs send, marked so that run.sh can grep the logs for it:
-- a UserSig and an admin identifier in the query, user and group ids in
-- the bodies.
local QUERY = "&usersig=SECRETUSERSIG" .. RUN .. "&identifier=adminid" .. RUN
local BODY = '{"To_Account":"userid' .. RUN .. '","GroupId":"groupid' ..
  RUN .. '","MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":' ..
  '"hi"}}]}'

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- POSTs body to every URL of a curl glob ([1-40]), 16 at a time over as
-- many connections: the statuses seen, as { [status] = count }.
local function burst(glob, body)
  local pipe = assert(io.popen(("curl -s --no-progress-meter -Z --parallel-max 16 " ..
    "-H 'Content-Type: application/json' -w '\\nSTATUS %%{http_code}\\n' " ..
    "-d %s %s"):format(shell_quote(body or BODY), shell_quote(glob))))
  local out = pipe:read("a")
  pipe:close()
  local statuses = {}
  for status in out:gmatch("STATUS (%d+)") do
    statuses[status] = (statuses[status] or 0) + 1
  end
  return statuses
end

-- /metrics as { [series] = value }.
local function metrics()
  local status, text = request(BASE .. "/metrics")
  assert.equal(200, status)
  local t = {}
  for series, v in text:gmatch("([^\n#][^\n ]*) ([^\n ]+)") do
    t[series] = tonumber(v)
  end
  return t, text
end

local function total(t, prefix)
  local n = 0
  for series, v in pairs(t) do
    if series:sub(1, #prefix) == prefix then n = n + v end
  end
  return n
end

-- Polls f every 50 ms until it returns a truthy value or seconds pass.
local function within(seconds, f)
  local deadline = socket.gettime() + seconds
  repeat
    local v = f()
    if v then return v end
    socket.sleep(0.05)
  until socket.gettime() > deadline
  return f()
end

local function prom(path, query)
  local status, body = request(PROM .. path ..
    (query and "?query=" .. url.escape(query) or ""))
  assert.equal(200, status, body)
  local doc = cjson.decode(body)
  assert.equal("success", doc.status)
  return doc.data
end

-- A series' value in Prometheus, or nil.
local function prom_value(query)
  local data = prom("/api/v1/query", query)
  local r = data.result[1]
  return r and tonumber(r.value[2])
end

local function log_lines()
  local f = assert(io.open(LOGS .. "/imerr.log"))
  local lines = {}
  for line in f:lines() do lines[#lines + 1] = line end
  f:close()
  return lines
end

-- The attempts the mock received with this id.
local function mock_attempts(id)
  local status, body = request(client.MOCK .. "/mock/stats?id=" .. id)
  assert.equal(200, status)
  return cjson.decode(body).attempts
end

local SM = 'api="v4/openim/sendmsg"'
local PG = 'api="v4/profile/portrait_get"'
local BS = 'api="v4/openim/batchsendmsg"'
local CB = 'imerr_callbacks_total{command="C2C.CallbackBeforeSendMsg",'

-- Each burst its own apps, so that no rate limiter makes a request wait.
local next_app = 1400000000 + math.random(0, 999) * 100000
local function apps(n)
  local first = next_app
  next_app = next_app + n
  return ("sdkappid=[%d-%d]"):format(first, first + n - 1)
end

local function proxy(path, scenario, n)
  return ("%s%s?scenario=%s&id=e2e-%s-%s&%s%s"):format(BASE, path, scenario,
    scenario, RUN, apps(n), QUERY)
end

describe("the proxy's metrics and request log", function()
  local before, after, lines_before

  it("count every request once, across both workers", function()
    before = metrics()
    lines_before = #log_lines()
    assert.same({ ["200"] = 40 },
      burst(proxy("/v4/openim/sendmsg", "ok", 40)))
    assert.same({ ["429"] = 10 },
      burst(proxy("/v4/profile/portrait_get", "throttled", 10)))
    assert.same({ ["401"] = 10 },
      burst(proxy("/v4/profile/portrait_get", "relogin", 10)))
    assert.same({ ["200"] = 5 },
      burst(proxy("/v4/openim/batchsendmsg", "partial", 5)))
    assert.same({ ["400"] = 5 }, burst(BASE ..
      "/v4/openim/sendmsg?scenario=ok&id=e2e-nosdk-[1-5]" .. QUERY))
    local cb = BASE .. "/im/callback?CallbackCommand=" ..
      "C2C.CallbackBeforeSendMsg&SdkAppid=1400000001&n=[1-%d]"
    local function message(text)
      return cjson.encode { CallbackCommand = "C2C.CallbackBeforeSendMsg",
        From_Account = "userid" .. RUN, To_Account = "userid2" .. RUN,
        MsgBody = { { MsgType = "TIMTextElem",
          MsgContent = { Text = text } } } }
    end
    assert.same({ ["200"] = 3 }, burst(cb:format(3), message("hello")))
    assert.same({ ["200"] = 2 }, burst(cb:format(2), message("forbidden")))
    assert.same({ ["400"] = 1 }, burst(cb:format(1), "not json"))

    -- The log phase counts after the answers: wait for the last ones.
    local sent = 40 + 10 + 10 + 5 + 5
    within(3, function()
      after = metrics()
      return total(after, "imerr_requests_total") -
        total(before, "imerr_requests_total") >= sent
    end)
    local function delta(series)
      return (after[series] or 0) - (before[series] or 0)
    end
    assert.equal(sent, total(after, "imerr_requests_total") -
      total(before, "imerr_requests_total"))
    local R = "imerr_requests_total{"
    assert.equal(40, delta(R .. SM .. ',outcome="ok"}'))
    assert.equal(5, delta(R .. SM .. ',outcome="invalid"}'))
    assert.equal(20, delta(R .. PG .. ',outcome="failed"}'))
    assert.equal(5, delta(R .. BS .. ',outcome="partial"}'))
    -- Attempts as the mock received them: 60007 is retried up to three
    -- attempts in all (unless the rate limiter, which slows an app down
    -- after a 60007, or the budget refuses a retry: counted as refused).
    local throttled = mock_attempts("e2e-throttled-" .. RUN)
    assert.truthy(throttled >= 20 and throttled <= 30, throttled)
    assert.equal(40, delta("imerr_attempts_total{" .. SM .. "}"))
    assert.equal(throttled + 10, delta("imerr_attempts_total{" .. PG .. "}"))
    assert.equal(throttled - 10, delta("imerr_retries_total{" .. PG .. "}"))
    -- (a refusal before a second attempt saves two)
    local refused = delta("imerr_refused_total{" .. PG ..
      ',by="rate_limiter"}') + delta("imerr_refused_total{" .. PG ..
      ',by="budget"}')
    assert.equal(throttled < 30, refused > 0)
    assert.truthy(refused <= 30 - throttled)
    assert.equal(0, delta("imerr_retries_total{" .. SM .. "}"))
    local F = "imerr_failures_total{" .. PG
    assert.equal(throttled, delta(F .. ',class="transient",' ..
      'reason="rate_limited",code="60007"}'))
    assert.equal(10, delta(F .. ',class="fatal",reason="auth",code="70001"}'))
    local I = "imerr_item_failures_total{" .. BS .. ',class="fatal",'
    assert.equal(5, delta(I .. 'reason="not_found",code="70107"}'))
    assert.equal(10, total(after, "imerr_item_failures_total{" .. BS) -
      total(before, "imerr_item_failures_total{" .. BS))
    assert.equal(40, delta("imerr_upstream_duration_seconds_count{" .. SM ..
      "}"))
    assert.equal(40, delta("imerr_upstream_duration_seconds_bucket{" .. SM ..
      ',le="+Inf"}'))
    assert.equal(3, delta(CB .. 'answer="allowed"}'))
    assert.equal(2, delta(CB .. 'answer="blocked"}'))
    assert.equal(1, delta(CB .. 'answer="invalid"}'))
    assert.equal(0, delta("imerr_metrics_dropped_total"))

    -- One log line per request (the log is flushed every second), from
    -- both workers.
    local lines = within(3, function()
      local all = log_lines()
      return #all - lines_before >= sent and all
    end)
    assert.truthy(lines, "the request log has too few lines")
    assert.equal(sent, #lines - lines_before)
    local pids, by_outcome = {}, {}
    for k = lines_before + 1, #lines do
      local entry = cjson.decode(lines[k])
      pids[entry["process.pid"]] = true
      by_outcome[entry["imerr.outcome"]] =
        (by_outcome[entry["imerr.outcome"]] or 0) + 1
    end
    assert.same({ ok = 40, invalid = 5, failed = 20, partial = 5 },
      by_outcome)
    local workers = 0
    for _ in pairs(pids) do workers = workers + 1 end
    assert.equal(2, workers)
  end)

  it("write OpenTelemetry's names in each request's line", function()
    local found = {}
    for _, line in ipairs(log_lines()) do
      local entry = cjson.decode(line)
      local id = entry["tencent.request_id"] or ""
      for _, scenario in ipairs { "ok", "throttled", "relogin", "partial" } do
        if id == "mock-e2e-" .. scenario .. "-" .. RUN then
          found[scenario] = entry
        end
      end
      if entry["error.type"] == "bad_sdkappid" then found.invalid = entry end
    end
    local ok, throttled = found.ok, found.throttled
    local relogin, partial = found.relogin, found.partial
    for _, scenario in ipairs { "ok", "throttled", "relogin", "partial",
      "invalid" } do
      assert.truthy(found[scenario], "no log line for " .. scenario)
    end
    assert.truthy(ok.timestamp:find("^%d%d%d%d%-%d%d%-%d%dT"))
    assert.equal("/v4/openim/sendmsg", ok["url.path"])
    assert.equal("POST", ok["http.request.method"])
    assert.equal("127.0.0.1", ok["server.address"])
    assert.equal(200, ok["http.response.status_code"])
    assert.equal(0, ok["http.request.resend_count"])
    assert.is_nil(ok["error.type"])
    assert.equal("v4/openim/sendmsg", ok["imerr.api"])
    assert.equal("ok", ok["imerr.outcome"])
    assert.truthy(ok["imerr.sdkappid"] >= 1400000000)
    assert.equal(2, throttled["http.request.resend_count"])
    assert.equal("rate_limited", throttled["error.type"])
    assert.equal(60007, throttled["imerr.code"])
    assert.equal("transient", throttled["imerr.class"])
    assert.equal("max_attempts", throttled["imerr.stop"])
    assert.equal("/v4/profile/portrait_get", relogin["url.path"])
    assert.equal("auth", relogin["error.type"])
    assert.equal(70001, relogin["imerr.code"])
    assert.equal("fatal", relogin["imerr.class"])
    assert.equal("relogin", relogin["imerr.stop"])
    assert.equal(200, relogin["http.response.status_code"])
    assert.equal(2, partial["imerr.failed_items"])
    assert.equal("partial", partial["imerr.outcome"])
    assert.equal("invalid", found.invalid["imerr.outcome"])
  end)

  it("are what Prometheus scrapes", function()
    -- Nothing runs between: the next scrape sees exactly /metrics.
    local queries = {
      ['imerr_failures_total{' .. PG .. ',code="60007"}'] =
        'imerr_failures_total{' .. PG .. ',class="transient",' ..
        'reason="rate_limited",code="60007"}',
      ['imerr_requests_total{' .. SM .. ',outcome="ok"}'] =
        'imerr_requests_total{' .. SM .. ',outcome="ok"}',
      ['imerr_attempts_total{' .. PG .. '}'] =
        'imerr_attempts_total{' .. PG .. '}',
    }
    local now = metrics()
    for query, series in pairs(queries) do
      local want = assert(now[series], series)
      local got = within(5, function()
        local v = prom_value(query)
        return v == want and v
      end)
      assert.equal(want, got, query)
    end
    local want = total(now, "imerr_requests_total")
    assert.equal(want, within(5, function()
      local v = prom_value("sum(imerr_requests_total)")
      return v == want and v
    end))
  end)

  it("fire the throttling and auth alerts, and no other", function()
    -- Failures over several scrapes: rate() needs two samples of a rise.
    for _ = 1, 5 do
      burst(proxy("/v4/openim/sendmsg", "ok", 10))
      burst(proxy("/v4/profile/portrait_get", "throttled", 3))
      burst(proxy("/v4/profile/portrait_get", "relogin", 3))
      socket.sleep(0.6)
    end
    local firing = within(20, function()
      local seen = {}
      for _, a in ipairs(prom("/api/v1/alerts").alerts) do
        if a.state == "firing" then seen[a.labels.alertname] = a end
      end
      return seen.ImerrThrottledByTencent and seen.ImerrAuthFailures and seen
    end)
    assert.truthy(firing, "the throttling and auth alerts did not fire")
    local t, a = firing.ImerrThrottledByTencent, firing.ImerrAuthFailures
    assert.equal("60007", t.labels.code)
    assert.equal("warning", t.labels.severity)
    assert.equal("70001", a.labels.code)
    assert.truthy(a.annotations.summary:find("code 70001", 1, true))
    assert.truthy(a.annotations.description:find("70001", 1, true))
    assert.equal("docs/operators.md#imerrauthfailures",
      a.annotations.runbook_url)
    -- Every rule evaluates; those for reasons never produced stay inactive.
    local states = {}
    for _, group in ipairs(prom("/api/v1/rules").groups) do
      for _, rule in ipairs(group.rules) do
        assert.equal("ok", rule.health, rule.name .. ": " ..
          tostring(rule.lastError))
        states[rule.name] = rule.state
      end
    end
    assert.equal("firing", states.ImerrThrottledByTencent)
    assert.equal("firing", states.ImerrAuthFailures)
    -- (not the limiter's and the budget's: after a 60007 the limiter
    -- slows the app down and may refuse a retry, as it should)
    for _, name in ipairs { "ImerrQuotaExhausted", "ImerrConfigurationError",
      "ImerrCallbackSignatureRefused", "ImerrTencentServerErrors",
      "ImerrTencentUnreachable" } do
      assert.equal("inactive", states[name], name)
    end
  end)

  it("are refused to other hosts (allow/deny in nginx.conf)", function()
    local port = tonumber(BASE:match(":(%d+)$"))
    local c = socket.tcp()
    assert(c:bind("127.0.0.2", 0))
    assert(c:connect("127.0.0.1", port))
    c:send("GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n")
    local status_line = c:receive("*l")
    c:close()
    assert.truthy(status_line:find(" 403 ", 1, true), status_line)
  end)

  it("drop what a full dict cannot hold, count it and log it once",
    function()
      local status, text = request(BASE .. "/test/metrics-full")
      assert.equal(200, status)
      local dropped = tonumber(text:match("\nimerr_metrics_dropped_total (%d+)"))
      assert.truthy(dropped > 0, text)
      -- what fitted is there
      assert.truthy(text:find('\nimerr_failures_total{api="other",class=' ..
        '"fatal",reason="auth",code="[%d-]+"} 1\n'))
      request(BASE .. "/test/metrics-full")
      local n = within(2, function()
        local f = assert(io.open(LOGS .. "/error.log"))
        local log = f:read("a")
        f:close()
        local k = 0
        for _ in log:gmatch("imerr metrics: cannot count") do k = k + 1 end
        return k > 0 and k
      end)
      assert.truthy(n and n <= 2, "logged " .. tostring(n) .. " times")
      -- The example's own dict is not full.
      assert.equal(0, metrics()["imerr_metrics_dropped_total"])
    end)
end)
