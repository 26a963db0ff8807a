-- The OpenResty example's metrics (app.im_metrics) and request log
-- (app.im_reqlog) outside nginx: a stand-in for ngx and for a shared dict
-- that, like nginx's, refuses new keys when full. The real nginx runs them
-- in spec/nginx/metrics_test.lua and spec/prometheus/run.sh.
package.path = "examples/openresty/lua/?.lua;" .. package.path

-- A shared dict of at most capacity keys, counting the calls made on it.
local function fake_dict(capacity)
  local values, keys, d = {}, {}, { calls = 0 }
  function d.incr(_, key, n)
    d.calls = d.calls + 1
    if values[key] == nil then return nil, "not found" end
    values[key] = values[key] + n
    return values[key]
  end
  function d.safe_add(_, key, n)
    d.calls = d.calls + 1
    if values[key] ~= nil then return false, "exists" end
    if #keys >= (capacity or math.huge) then return false, "no memory" end
    values[key], keys[#keys + 1] = n, key
    return true
  end
  function d.get(_, key) return values[key] end
  function d.get_keys()
    local copy = {}
    for i, k in ipairs(keys) do copy[i] = k end
    return copy
  end
  function d.free_space() return 4096 end
  return d
end

local timers
local saved_ngx
local metrics, reqlog

setup(function()
  saved_ngx = rawget(_G, "ngx")
  timers = {}
  rawset(_G, "ngx", {
    WARN = 5, log = function() end, shared = {},
    timer = { at = function(_, f) timers[#timers + 1] = f return true end },
  })
  metrics = require "app.im_metrics"
  reqlog = require "app.im_reqlog"
end)

teardown(function()
  rawset(_G, "ngx", saved_ngx)
  package.loaded["app.im_metrics"], package.loaded["app.im_reqlog"] = nil, nil
  package.loaded["app.im_log"] = nil
end)

-- The value of the series with exactly these labels, or nil.
local function value(text, series)
  for line in text:gmatch("[^\n]+") do
    local name, v = line:match("^(%S+) (%S+)$")
    if name == series then return tonumber(v) end
  end
end

local THROTTLED = { code = 60007, class = "transient", reason = "rate_limited" }

describe("the example's metrics", function()
  local sendmsg
  before_each(function() sendmsg = metrics.api_index("/v4/openim/sendmsg") end)

  it("counts a request's outcome, attempts and time", function()
    local d = fake_dict()
    metrics.count({ api = sendmsg, outcome = "ok", attempts = 1,
      durations = { 0.003 }, errors = { false } }, d)
    metrics.count({ api = sendmsg, outcome = "failed", attempts = 3,
      durations = { 0.02, 0.3, 9 }, errors = { THROTTLED, THROTTLED,
        THROTTLED } }, d)
    local text = metrics.text(d)
    local api = 'api="v4/openim/sendmsg"'
    assert.equal(1, value(text, 'imerr_requests_total{' .. api ..
      ',outcome="ok"}'))
    assert.equal(1, value(text, 'imerr_requests_total{' .. api ..
      ',outcome="failed"}'))
    assert.equal(4, value(text, "imerr_attempts_total{" .. api .. "}"))
    assert.equal(2, value(text, "imerr_retries_total{" .. api .. "}"))
    assert.equal(3, value(text, "imerr_failures_total{" .. api ..
      ',class="transient",reason="rate_limited",code="60007"}'))
    local h = "imerr_upstream_duration_seconds"
    assert.equal(1, value(text, h .. "_bucket{" .. api .. ',le="0.005"}'))
    assert.equal(2, value(text, h .. "_bucket{" .. api .. ',le="0.025"}'))
    assert.equal(3, value(text, h .. "_bucket{" .. api .. ',le="8"}'))
    assert.equal(4, value(text, h .. "_bucket{" .. api .. ',le="+Inf"}'))
    assert.equal(4, value(text, h .. "_count{" .. api .. "}"))
    assert.near(9.323, value(text, h .. "_sum{" .. api .. "}"), 1e-6)
  end)

  it("spends three dict operations on a request answered at once", function()
    local d = fake_dict()
    local rec = { api = sendmsg, outcome = "ok", attempts = 1,
      durations = { 0.003 }, errors = { false } }
    metrics.count(rec, d)
    d.calls = 0
    metrics.count(rec, d)
    assert.equal(3, d.calls)
  end)

  it("counts the limiter's and the budget's refusals", function()
    local d = fake_dict()
    metrics.count({ api = sendmsg, outcome = "failed", attempts = 0,
      durations = {}, errors = {}, refused = "rate_limiter" }, d)
    metrics.count({ api = sendmsg, outcome = "failed", attempts = 2,
      durations = { 0.1, 0.1 }, errors = { THROTTLED, THROTTLED },
      refused = "budget" }, d)
    local text = metrics.text(d)
    assert.equal(1, value(text, 'imerr_refused_total{api="v4/openim/' ..
      'sendmsg",by="rate_limiter"}'))
    assert.equal(1, value(text, 'imerr_refused_total{api="v4/openim/' ..
      'sendmsg",by="budget"}'))
  end)

  it("counts failed items by code, one dict operation per code", function()
    local d = fake_dict()
    local api = metrics.api_index("/v4/openim/batchsendmsg")
    local items = {}
    for i = 1, 500 do
      items[i] = { code = i % 2 == 0 and 70107 or 90012, class = "fatal",
        reason = "not_found", id = "user" .. i }
    end
    metrics.count({ api = api, outcome = "partial", attempts = 1,
      durations = { 0.01 }, errors = { false }, items = items }, d)
    local text = metrics.text(d)
    assert.equal(250, value(text, 'imerr_item_failures_total{api="v4/openim/' ..
      'batchsendmsg",class="fatal",reason="not_found",code="70107"}'))
    assert.equal(1, value(text, 'imerr_requests_total{api="v4/openim/' ..
      'batchsendmsg",outcome="partial"}'))
    assert.falsy(text:find("user", 1, true))
  end)

  it("keeps every label within the catalogue and the table", function()
    local d = fake_dict()
    local odd = { api = metrics.api_index("/v4/no/such/api"),
      outcome = "whatever", attempts = 4, durations = { 1, 1, 1, 1 },
      errors = { { code = 99999, class = "fatal", reason = "unknown" },
        { code = 125000, class = "fatal", reason = "app_defined" },
        { class = "strange", reason = 'a"b\n' },
        { class = "transient", reason = "timeout", transport = "timeout" } } }
    metrics.count(odd, d)
    metrics.count({ api = metrics.api_index(("/v4/" .. ("x"):rep(10000))),
      outcome = "invalid", attempts = 0, durations = {}, errors = {} }, d)
    metrics.count({ api = metrics.api_index("/v4/openim/sendmsg/"),
      outcome = "invalid", attempts = 0, durations = {}, errors = {} }, d)
    local text = metrics.text(d)
    local f = 'imerr_failures_total{api="other",'
    assert.equal(1, value(text, f .. 'class="fatal",reason="unknown",' ..
      'code="unknown"}'))
    assert.equal(1, value(text, f .. 'class="fatal",reason="app_defined",' ..
      'code="120001-130000"}'))
    assert.equal(1, value(text, f .. 'class="fatal",reason="unknown",' ..
      'code="none"}'))
    assert.equal(1, value(text, f .. 'class="transient",reason="timeout",' ..
      'code="none"}'))
    -- An outcome the proxy never sets counts as failed.
    assert.equal(1, value(text, 'imerr_requests_total{api="other",' ..
      'outcome="failed"}'))
    assert.equal(1, value(text, 'imerr_requests_total{api="other",' ..
      'outcome="invalid"}'))
    assert.equal(1, value(text, 'imerr_requests_total{api="v4/openim/' ..
      'sendmsg",outcome="invalid"}'))
    assert.falsy(text:find("xxxx", 1, true))
  end)

  it("counts callbacks of known commands, others as other", function()
    local d = fake_dict()
    metrics.callback("C2C.CallbackBeforeSendMsg", "allowed", d)
    metrics.callback("C2C.CallbackBeforeSendMsg", "blocked", d)
    metrics.callback("user-1234 did this", "allowed", d)
    metrics.callback(nil, "no such answer", d)
    local text = metrics.text(d)
    local c = 'imerr_callbacks_total{command="C2C.CallbackBeforeSendMsg",'
    assert.equal(1, value(text, c .. 'answer="allowed"}'))
    assert.equal(1, value(text, c .. 'answer="blocked"}'))
    -- refused series are there from the start
    assert.equal(0, value(text, c .. 'answer="refused"}'))
    assert.equal(0, value(text, 'imerr_callbacks_total{command=' ..
      '"State.StateChange",answer="refused"}'))
    assert.equal(1, value(text, 'imerr_callbacks_total{command="other",' ..
      'answer="allowed"}'))
    assert.equal(1, value(text, 'imerr_callbacks_total{command="other",' ..
      'answer="error"}'))
    assert.falsy(text:find("user-1234", 1, true))
  end)

  it("drops new series on a full dict, counts the drops and logs once",
    function()
      timers = {}
      local d = fake_dict(4)
      metrics.init(d)
      local rec = { api = sendmsg, outcome = "ok", attempts = 1,
        durations = { 0.001 }, errors = { false } }
      -- dropped, the request key, the bucket and the sum: full.
      metrics.count(rec, d)
      for _ = 1, 5 do
        metrics.count({ api = sendmsg, outcome = "failed", attempts = 1,
          durations = { 0.001 }, errors = { THROTTLED } }, d)
      end
      metrics.count(rec, d)
      local text = metrics.text(d)
      -- Counts already there go on; the new ones are dropped, counted.
      assert.equal(2, value(text, 'imerr_requests_total{api="v4/openim/' ..
        'sendmsg",outcome="ok"}'))
      assert.equal(7, value(text, 'imerr_upstream_duration_seconds_count{' ..
        'api="v4/openim/sendmsg"}'))
      assert.equal(10, value(text, "imerr_metrics_dropped_total"))
      assert.equal(1, #timers)
    end)

  it("writes the text format: HELP, TYPE, then samples", function()
    local d = fake_dict()
    metrics.count({ api = sendmsg, outcome = "ok", attempts = 2,
      durations = { 0.2, 0.001 }, errors = { THROTTLED, false } }, d)
    metrics.callback("State.StateChange", "allowed", d)
    local text = metrics.text(d)
    local typed = {}
    for line in text:gmatch("[^\n]*\n") do
      local name, kind = line:match("^# TYPE (%S+) (%S+)\n$")
      if name then
        typed[name] = kind
        assert.truthy(name:find("^imerr_"), name)
        if kind == "counter" then assert.truthy(name:find("_total$"), name) end
      elseif not line:find("^# HELP imerr_[%w_]+ %S") then
        local series, labels, v = line:match(
          "^([%a_][%w_]*)({?[^}]*}?) (%S+)\n$")
        assert.truthy(series, line)
        assert.truthy(tonumber(v), line)
        local family = series:gsub("_bucket$", ""):gsub("_sum$", "")
          :gsub("_count$", "")
        assert.truthy(typed[series] or typed[family], line)
        if labels ~= "" then
          assert.truthy(labels:find('^{[%a_]+="[^"\\\n]*"' ..
            '[,%a_="%w%.%-/+]*}$'), line)
        end
      end
    end
    assert.equal("histogram", typed.imerr_upstream_duration_seconds)
  end)

  it("states its worst case in docs/operators.md", function()
    local f = assert(io.open("docs/operators.md"))
    local doc = f:read("*a")
    f:close()
    local t = metrics.worst_case()
    local stated = doc:match("worst case is ([%d,]+) series")
    assert.truthy(stated, "docs/operators.md: no 'worst case is N series'")
    assert.equal(t.total, tonumber((stated:gsub(",", ""))))
  end)
end)

describe("the example's request log", function()
  it("keeps url.path printable and without secrets", function()
    assert.equal("/v4/openim/sendmsg", reqlog.url_path(
      "/v4/openim/sendmsg?sdkappid=1&usersig=SECRET&identifier=admin"))
    assert.equal("/v4/a;usersig=REDACTED/b;UserSig=REDACTED",
      reqlog.url_path("/v4/a;usersig=SECRET/b;UserSig=SECRET2"))
    assert.equal("/v4/a;usersig%3dREDACTED",
      reqlog.url_path("/v4/a;usersig%3dSECRET"))
    assert.equal("/v4/%22%5C%0A%FF", reqlog.url_path('/v4/"\\\n\255'))
    assert.equal(reqlog.MAX_PATH, #reqlog.url_path("/" .. ("a"):rep(1000)))
    assert.equal("", reqlog.url_path(nil))
  end)

  it("redacts secret parameters of a URL, in any case", function()
    assert.equal("https://h/v4/x?sdkappid=1&usersig=REDACTED&TOKEN=REDACTED" ..
      "&a=b", reqlog.redact("https://h/v4/x?sdkappid=1&usersig=abc&TOKEN=t" ..
        "&a=b"))
  end)
end)
