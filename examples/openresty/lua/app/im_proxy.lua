--- Proxy to the Tencent Cloud IM REST API: forwards the request (the whole
-- body, however nginx stored it) with a cosocket HTTP client bounded by
-- the request's deadline, reads the answer with imerr.rest (per-item
-- failures as the API's catalogue row describes them), retries what
-- imerr.retry says to retry (sleeping with app.im_sleep), keeps the app
-- under the API's documented rate (app.im_limit), and answers the client
-- with the hint's HTTP status and a JSON body carrying code, name, class
-- and action. Each request leaves a record in ngx.ctx.imerr for the log
-- phase (_M.log): Prometheus counts (app.im_metrics) and one JSON log line
-- with OpenTelemetry's names (app.im_reqlog).
--
-- Sending exactly once: a non-idempotent API is never repeated after an
-- ambiguous failure (a timeout, a broken connection or answer: it may
-- have been carried out), unless Tencent de-duplicates it
-- (data/dedupe.tsv: sendmsg, send_group_msg, ...). Then the client's body
-- is prepared once (rest.prepare: the key fields the client left out, such
-- as MsgRandom and MsgSeq, filled), every attempt sends those same bytes,
-- and an ambiguous failure is resent while the resend reaches Tencent
-- inside its window; Tencent discards the copy if the first got through.
-- $imerr_exactly_once off forwards such bodies untouched and never resends
-- them after an ambiguous failure (the behaviour before).
local retry = require "imerr.retry"
local rest = require "imerr.rest"
local catalogue = require "imerr.api"
local cjson = require "cjson.safe"
local http = require "app.im_http"
local limit = require "app.im_limit"
local metrics = require "app.im_metrics"
local reqlog = require "app.im_reqlog"
local sdkappid = require "app.im_sdkappid"
local sign = require "app.im_sign"
local sleep = require "app.im_sleep"

local log = require("app.im_log").log

local ngx = ngx
local tonumber, concat = tonumber, table.concat

local _M = {}


-- Less of the deadline than nginx's timer resolution (1 ms) leaves no
-- room for an attempt.
local MIN_SLEEP = 0.001

-- The settings of a location, by their values, built once per worker.
local cache = {}

local VARS = { "imerr_base", "imerr_throttle_base", "imerr_cap",
  "imerr_max_attempts", "imerr_jitter", "imerr_deadline",
  "imerr_budget_capacity", "imerr_budget_key", "imerr_upstream",
  "imerr_connect_timeout", "imerr_attempt_timeout", "imerr_max_answer",
  "imerr_keepalive", "imerr_pool_size", "imerr_backlog",
  "imerr_exactly_once" }

local function build(v)
  local budget = assert(retry.budget {
    shared = ngx.shared.imerr_budget, key = v.imerr_budget_key,
    capacity = tonumber(v.imerr_budget_capacity),
  })
  local deadline = assert(tonumber(v.imerr_deadline), "imerr_deadline")
  local attempt_timeout = assert(tonumber(v.imerr_attempt_timeout))
  local policy = assert(retry.policy {
    base = tonumber(v.imerr_base),
    throttle_base = tonumber(v.imerr_throttle_base),
    cap = tonumber(v.imerr_cap),
    max_attempts = tonumber(v.imerr_max_attempts),
    jitter = v.imerr_jitter,
    deadline = deadline,
    budget = budget,
    clock = ngx.now,
    -- A resend must reach Tencent inside the API's window: one attempt
    -- takes at most this long.
    attempt_timeout = attempt_timeout,
  })
  return {
    policy = policy, deadline = deadline,
    upstream = assert(http.parse_url(v.imerr_upstream)),
    connect_timeout = assert(tonumber(v.imerr_connect_timeout)),
    attempt_timeout = attempt_timeout,
    max_body = assert(tonumber(v.imerr_max_answer)),
    keepalive = tonumber(v.imerr_keepalive),
    pool_size = tonumber(v.imerr_pool_size),
    backlog = tonumber(v.imerr_backlog),
    exactly_once = v.imerr_exactly_once ~= "off",
  }
end

-- path -> whether Tencent de-duplicates the API (its catalogue row has a
-- dedupe rule), for the paths of this worker's requests. Only the
-- catalogue's paths get an entry: a client's junk paths never grow it.
local deduped = {}

local function has_rule(api)
  local known = deduped[api]
  if known == nil then
    local row = catalogue.get(api)
    if not row then return false end
    known = row.dedupe ~= nil
    deduped[api] = known
  end
  return known
end

local function settings(var)
  local values = {}
  for i, name in ipairs(VARS) do values[i] = var[name] or "" end
  local key = concat(values, " ")
  local s = cache[key]
  if s then return s end
  local t = {}
  for i, name in ipairs(VARS) do t[name] = values[i] end
  s = build(t)
  cache[key] = s
  return s
end

-- A transport failure as an error table retry and the answer can use:
-- timeouts and cut, short or closed answers are transient (504 or 502);
-- an answer too big or not HTTP is fatal (the same would come again).
-- transport names the failure; ambiguous marks that the request may have
-- reached the upstream (a write API may have acted on it).
local FATAL_KINDS = { too_big = true, protocol = true }

local function transport_error(f)
  local hint = retry.BAD_RESPONSE
  if not FATAL_KINDS[f.kind] then
    hint = retry.http_hint(f.kind == "timeout" and 504 or 502)
  end
  return { class = hint.class, reason = hint.reason, action = hint.action,
    http_status = hint.http_status, severity = hint.severity,
    min_delay = hint.min_delay, info = f.message, transport = f.kind,
    ambiguous = f.sent or nil }
end

local function fail(rec, err, attempts, why)
  rec.outcome, rec.err, rec.stop = "failed", err, why
  ngx.status = err.http_status
  ngx.header["Content-Type"] = "application/json"
  ngx.header["X-Imerr-Stop"] = why
  ngx.header["X-Imerr-Transport"] = err.transport
  -- rest.check gives ErrorInfo bounded (rest.MAX_INFO) and valid UTF-8;
  -- transport messages are the client's own.
  ngx.say(cjson.encode({ code = err.code, name = err.name, class = err.class,
    reason = err.reason, action = err.action, info = err.info,
    request_id = err.request_id, attempts = attempts,
    transport = err.transport, ambiguous = err.ambiguous }))
end

-- One call of the upstream, bounded by deadline: the answer's text,
-- batch failures and decoded answer, or nil and an error table (an IM
-- error, an HTTP status hint, or a transport failure); then the upstream's
-- HTTP status, when it answered one.
local function call(s, api, path, body, deadline)
  local res, f = http.post(s.upstream, { path = path, body = body,
    deadline = deadline, connect_timeout = s.connect_timeout,
    max_body = s.max_body, keepalive = s.keepalive,
    pool_size = s.pool_size, backlog = s.backlog })
  if not res then return nil, transport_error(f) end
  if res.status ~= 200 then
    return nil, retry.http_hint(res.status) or retry.http_hint(502), nil,
      res.status
  end
  local answer, err = rest.check(res.body, api)
  if answer then return res.body, err, answer, 200 end
  return nil, err, nil, 200
end

-- The answer when the app's rate limit leaves no call before the
-- deadline: nothing was sent.
local function throttled()
  local err = transport_error({ kind = "timeout",
    message = "the rate limit leaves no call before the deadline" })
  local hint = retry.http_hint(429)
  err.class, err.reason, err.action = hint.class, hint.reason, hint.action
  err.http_status, err.transport, err.ambiguous = 429, "rate_limit", nil
  return err
end

local function refuse(rec, status, reason, info)
  rec.outcome, rec.error_type = "invalid", reason
  ngx.status = status
  ngx.header["Content-Type"] = "application/json"
  ngx.say(cjson.encode({ reason = reason, info = info }))
end

-- The time the next attempt may take (its end, as an ngx.now() time), or
-- nil when the deadline leaves none.
local function attempt_end(s, deadline)
  local left = http.left(deadline)
  if left < MIN_SLEEP then return nil end
  if left > s.attempt_timeout then return ngx.now() + s.attempt_timeout end
  return deadline
end

--- Content phase of /v4/.
function _M.handle()
  local var = ngx.var
  -- ngx.var.uri is decoded: %0D%0A would become a line break in the
  -- request sent upstream (checked below).
  local uri = var.uri
  -- What the log phase counts and logs: "failed" unless an answer or a
  -- refusal of the proxy's says otherwise (a handler that raised failed).
  local rec = { api = metrics.api_index(uri), outcome = "failed",
    attempts = 0, durations = {}, errors = {} }
  ngx.ctx.imerr = rec
  local s = settings(var)
  rec.upstream = s.upstream
  -- From the request's start: a client that drips its body spends the
  -- deadline too, and is answered when it passes.
  local deadline = ngx.req.start_time() + s.deadline
  -- The path and the app first: a request refused for them costs no
  -- body read.
  local path = uri
  if path:find("[%c ]") then
    return refuse(rec, 400, "bad_path",
      "the path holds spaces or control bytes")
  end
  -- Tencent requires sdkappid, and the rate limits are per app: without
  -- a valid one, 400 before any limiter or upstream call (also with
  -- $imerr_limit off: Tencent would refuse the call). The upstream gets
  -- the canonical number the limiter counted.
  local app, args = sdkappid.parse()
  if not app then return refuse(rec, 400, "bad_sdkappid", args) end
  rec.app = app
  -- With the app's key, the proxy's own credentials (app.im_sign).
  local signed, refusal = sign.request(var, app, path, args)
  if signed == nil then
    return refuse(rec, refusal.status, refusal.reason, refusal.info)
  end
  if signed then
    path = signed:path()
    if not path then return refuse(rec, 500, "sign_key", "no UserSig made") end
  elseif args ~= "" then
    path = path .. "?" .. args
  end
  local body, berr, bkind = http.request_body(deadline)
  if not body then
    if bkind == "timeout" then
      return fail(rec, transport_error({ kind = "timeout", message = berr }),
        0, "deadline")
    end
    if bkind == "read" then
      log(ngx.INFO, "imerr: ", berr)
      return refuse(rec, 400, "request_body", "the request body was cut")
    end
    log(ngx.ERR, "imerr: ", berr)
    return refuse(rec, 500, "request_body", "the request body was not read")
  end
  -- The API's row says whether a repeat is safe; an API the catalogue
  -- lacks is treated as one that is not. An API Tencent de-duplicates
  -- sends the prepared bytes on every attempt.
  local api = uri
  local attempts
  if s.exactly_once and has_rule(api) then
    local req, perr = rest.prepare(api, body)
    if not req then return refuse(rec, 400, "bad_body", perr) end
    attempts = s.policy:start { request = req }
    body = attempts:body()
  end
  attempts = attempts or s.policy:start { api = api } or
    s.policy:start { idempotent = false }
  local limiter = limit.get(var, api, app)
  local err, why
  while true do
    local stop = attempt_end(s, deadline)
    if not stop then
      why = "deadline"
      break
    end
    if limiter and not limit.wait(limiter, stop) then
      why = "rate_limited"
      rec.refused = "rate_limiter"
      err = err or throttled()
      break
    end
    local text, answer, status
    local t0 = ngx.now()
    text, err, answer, status = call(s, api, path, body, stop)
    if signed then signed:scrub(err) end
    local n = rec.attempts + 1
    rec.attempts, rec.durations[n], rec.errors[n] = n, ngx.now() - t0,
      not text and err
    rec.status = status
    if limiter then limiter:observe(text and 0 or err) end
    if text then
      attempts:success()
      rec.outcome, rec.items = err and "partial" or "ok", err
      rec.request_id = answer.RequestId
      if err then ngx.header["X-Imerr-Failed-Items"] = #err end
      ngx.header["Content-Type"] = "application/json"
      ngx.header["X-Imerr-Attempts"] = attempts:count()
      ngx.print(text)
      return
    end
    local delay
    delay, why = attempts:next(err)
    -- A signing proxy renews its UserSig after a relogin answer (70001,
    -- 70052, ...) and retries once: attempts:refreshed() allows one.
    if why == "relogin" and signed and signed:renew() then
      attempts:refreshed()
      path = signed:path() or path
      delay, why = attempts:next(err)
    end
    if not delay then
      if why == "budget" then rec.refused = "budget" end
      break
    end
    log(ngx.INFO, "imerr: retrying after ",
      err.code or err.transport or err.status, " in ", delay, " s")
    sleep.sleep(delay)
  end
  if not err then
    err = transport_error({ kind = "timeout", message = "deadline passed" })
  end
  return fail(rec, err, attempts:count(), why)
end

--- Log phase of /v4/: counts the request (app.im_metrics) and sets
-- $imerr_log to its JSON line (app.im_reqlog). Neither can fail the
-- request: both catch their own errors.
function _M.log()
  local rec = ngx.ctx.imerr
  if not rec then return end
  metrics.count(rec)
  reqlog.set(rec)
end

--- init_worker phase: seeds math.random for this worker from the kernel's
-- entropy, so that no two workers, and no two starts, draw the same
-- jitter. Returns the seed.
function _M.init_worker()
  local seed
  local f = io.open("/dev/urandom", "rb")
  if f then
    local bytes = f:read(4)
    f:close()
    if bytes and #bytes == 4 then
      local a, b, c, d = bytes:byte(1, 4)
      seed = ((a * 256 + b) * 256 + c) * 256 + d
    end
  end
  if not seed then
    -- No /dev/urandom (a chroot): the clock and the pid still differ.
    seed = math.floor(ngx.now() * 1000) % 2147483647 + ngx.worker.pid()
  end
  math.randomseed(seed)
  return seed
end

return _M
