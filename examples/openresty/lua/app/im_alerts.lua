--- Counts the IM codes the proxy answered, by severity and by code, in a
-- shared dict (all workers), and serves them as Prometheus text.
local imerr = require "imerr"
local retry = require "imerr.retry"

local ngx = ngx
local ipairs, tonumber = ipairs, tonumber

local _M = {}

local SEVERITIES = { "critical", "warning", "info" }

local function count_hint(dict, hint)
  dict:incr("severity:" .. hint.severity, 1, 0)
  -- Only codes on the page get a series: unknown codes cannot grow it.
  local row = hint.code and imerr.lookup(hint.code)
  dict:incr(row and "code:" .. row.code or "code:other", 1, 0)
end

--- Log phase: count the failure this request ended with, and the failed
-- items of a batch answer.
function _M.count()
  local dict = ngx.shared.imerr_alerts
  local hint, failures = ngx.ctx.imerr_hint, ngx.ctx.imerr_failures
  if hint then count_hint(dict, hint) end
  if failures then
    for _, f in ipairs(failures) do count_hint(dict, f) end
  end
  if not hint then dict:incr("ok", 1, 0) end
end

local function line(out, fmt, ...)
  out[#out + 1] = fmt:format(...)
end

--- Content phase of /metrics.
function _M.serve()
  local dict, out = ngx.shared.imerr_alerts, {}
  line(out, "# HELP imerr_ok_total Requests answered without an IM error.")
  line(out, "# TYPE imerr_ok_total counter")
  line(out, "imerr_ok_total %d", dict:get("ok") or 0)
  line(out, "# HELP imerr_errors_total IM errors and failed items by severity.")
  line(out, "# TYPE imerr_errors_total counter")
  for _, s in ipairs(SEVERITIES) do
    line(out, 'imerr_errors_total{severity="%s"} %d', s,
      dict:get("severity:" .. s) or 0)
  end
  line(out, "# HELP imerr_code_total IM errors by code.")
  line(out, "# TYPE imerr_code_total counter")
  -- The codes counted so far, in order: only their rows are made (rows
  -- are made on first use, and this worker may never need the others).
  local codes = {}
  for _, key in ipairs(dict:get_keys(0)) do
    local code = tonumber(key:match("^code:(%-?%d+)$"))
    if code then codes[#codes + 1] = code end
  end
  table.sort(codes)
  for _, code in ipairs(codes) do
    local hint = retry.hint(code)
    line(out, 'imerr_code_total{code="%d",name="%s",class="%s",' ..
      'severity="%s"} %d', code, imerr.name(code), hint.class, hint.severity,
      dict:get("code:" .. code) or 0)
  end
  line(out, 'imerr_code_total{code="other"} %d', dict:get("code:other") or 0)
  ngx.header["Content-Type"] = "text/plain; version=0.0.4"
  ngx.print(table.concat(out, "\n"), "\n")
end

return _M
