--- Proxy to the Tencent Cloud IM REST API: forwards the request, reads the
-- answer with imerr.rest, retries what imerr.retry says to retry (sleeping
-- with ngx.sleep), and answers the client with the hint's HTTP status and
-- a JSON body carrying code, name, class and action.
local retry = require "imerr.retry"
local rest = require "imerr.rest"
local cjson = require "cjson.safe"

local ngx = ngx
local tonumber, concat = tonumber, table.concat

local _M = {}

-- Policies by their settings, built once per worker.
local policies = {}

local function policy_for(v)
  local key = concat({ v.imerr_base, v.imerr_throttle_base, v.imerr_cap,
    v.imerr_max_attempts, v.imerr_jitter, v.imerr_deadline,
    v.imerr_budget_capacity, v.imerr_budget_key }, " ")
  local p = policies[key]
  if p then return p end
  local budget = assert(retry.budget {
    shared = ngx.shared.imerr_budget, key = v.imerr_budget_key,
    capacity = tonumber(v.imerr_budget_capacity),
  })
  p = assert(retry.policy {
    base = tonumber(v.imerr_base),
    throttle_base = tonumber(v.imerr_throttle_base),
    cap = tonumber(v.imerr_cap),
    max_attempts = tonumber(v.imerr_max_attempts),
    jitter = v.imerr_jitter,
    deadline = tonumber(v.imerr_deadline),
    budget = budget,
    clock = ngx.now,
  })
  policies[key] = p
  return p
end

local function fail(err, attempts, why)
  ngx.ctx.imerr_hint = err
  ngx.status = err.http_status
  ngx.header["Content-Type"] = "application/json"
  ngx.header["X-Imerr-Stop"] = why
  ngx.say(cjson.encode({ code = err.code, name = err.name, class = err.class,
    reason = err.reason, action = err.action, info = err.info,
    request_id = err.request_id, attempts = attempts }))
end

-- One call of the upstream: the decoded answer and batch failures, or
-- nil and an error table (an IM error or a transport hint).
local function call(uri, body, args)
  local res = ngx.location.capture("/_im_rest" .. uri,
    { method = ngx.HTTP_POST, body = body, args = args })
  if res.status ~= 200 then
    local hint = retry.http_hint(res.status) or retry.http_hint(502)
    return nil, hint
  end
  local answer, err = rest.check(res.body)
  if answer then return res.body, err end
  return nil, err
end

function _M.handle()
  ngx.req.read_body()
  local body = ngx.req.get_body_data() or ""
  local var = ngx.var
  local attempts = policy_for(var):start()
  while true do
    local text, err = call(var.uri, body, var.args)
    if text then
      attempts:success()
      ngx.ctx.imerr_failures = err
      if err then ngx.header["X-Imerr-Failed-Items"] = #err end
      ngx.header["Content-Type"] = "application/json"
      ngx.header["X-Imerr-Attempts"] = attempts:count()
      ngx.print(text)
      return
    end
    local delay, why = attempts:next(err)
    if not delay then return fail(err, attempts:count(), why) end
    ngx.log(ngx.INFO, "imerr: retrying after ", err.code or err.status,
      " in ", delay, " s")
    ngx.sleep(delay)
  end
end

return _M
