--- Prometheus metrics of the proxy and the callback endpoint, in a shared
-- dict (lua_shared_dict imerr_metrics) so that every worker's requests
-- count once, served on /metrics in the text format 0.0.4.
--
-- Every label is bounded: api is a path of imerr's catalogue of REST APIs
-- (imerr.api) or "other"; code is a code of imerr's table (a range's row
-- as "first-last"), "unknown" for a code the table lacks, "none" for a
-- failure without one (HTTP status, transport); class and reason are
-- imerr's; command is one of COMMANDS or "other". Never a user id, a
-- group id, an SDKAppID or a text from the request.
--
-- The dict holds raw counts under short keys; /metrics adds them up. A
-- request costs one dict:incr for its outcome and two per upstream attempt
-- (the time histogram's bucket and sum), plus one per failed attempt and
-- one per code among failed items. Counting never fails a request: a
-- count that finds the dict full is dropped (counted in
-- imerr_metrics_dropped_total, logged once per worker), and keys are only
-- ever added with safe_add, so that a full dict never evicts a counter
-- (an evicted counter would come back at zero).
local api = require "imerr.api"
local imerr = require "imerr"
local log = require("app.im_log").log

local ngx = ngx
local type, pairs, ipairs, tostring, tonumber, pcall =
  type, pairs, ipairs, tostring, tonumber, pcall
local concat, sort, format = table.concat, table.sort, string.format

local _M = {}

--- Upper bounds (seconds) of the upstream time histogram's buckets; +Inf
-- follows. An attempt is bounded by $imerr_attempt_timeout (4 s).
_M.BUCKETS = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8 }
local BUCKETS, NB = _M.BUCKETS, #_M.BUCKETS
-- The buckets' le labels.
local LE = {}
for b = 1, NB do LE[b] = tostring(BUCKETS[b]) end
LE[NB + 1] = "+Inf"

--- What became of a request: answered in full, answered with failed
-- items, failed (an IM code, an HTTP status or a transport failure after
-- the attempts the policy allowed, or none the limiter let through),
-- refused by the proxy itself (bad path, sdkappid or body).
_M.OUTCOMES = { "ok", "partial", "failed", "invalid" }
--- What refused a request (the rate limiter before an attempt) or its
-- retry (the retry budget).
_M.REFUSERS = { "rate_limiter", "budget" }
--- The answers of the callback endpoint: allowed; blocked (rejected or
-- dropped); refused (the signature check failed); invalid (not a JSON
-- object); error (the body could not be read).
_M.ANSWERS = { "allowed", "blocked", "refused", "invalid", "error" }
--- Tencent's callback commands (CallbackCommand) with a series of their
-- own; any other command counts as "other".
_M.COMMANDS = {
  "Alert.RequestOverLimit",
  "C2C.CallbackAfterMsgReport", "C2C.CallbackAfterMsgWithDraw",
  "C2C.CallbackAfterSendMsg", "C2C.CallbackBeforeSendMsg",
  "Group.CallbackAfterCreateGroup", "Group.CallbackAfterGroupDestroyed",
  "Group.CallbackAfterGroupFull", "Group.CallbackAfterGroupInfoChanged",
  "Group.CallbackAfterMemberExit", "Group.CallbackAfterNewMemberJoin",
  "Group.CallbackAfterRecallMsg", "Group.CallbackAfterSendMsg",
  "Group.CallbackBeforeApplyJoinGroup", "Group.CallbackBeforeCreateGroup",
  "Group.CallbackBeforeInviteJoinGroup", "Group.CallbackBeforeSendMsg",
  "Sns.CallbackBlackListAdd", "Sns.CallbackBlackListDelete",
  "Sns.CallbackFriendAdd", "Sns.CallbackFriendDelete",
  "Sns.CallbackPrevFriendAdd", "Sns.CallbackPrevFriendResponse",
  "State.StateChange",
}

local function index_of(list)
  local t = {}
  for i, v in ipairs(list) do t[v] = i end
  return t
end
local OUTCOME, REFUSER = index_of(_M.OUTCOMES), index_of(_M.REFUSERS)
local ANSWER, COMMAND = index_of(_M.ANSWERS), index_of(_M.COMMANDS)
local COMMANDS = { [0] = "other" }
for i, c in ipairs(_M.COMMANDS) do COMMANDS[i] = c end
local CLASSES = { ok = true, transient = true, fatal = true }

-- The catalogue's APIs by index (0 is "other") and by "/path"; the APIs
-- whose answers carry per-item results.
local API_NAMES, API_INDEX, ITEM_APIS = { [0] = "other" }, {}, 0
for path, row in api.each() do
  API_NAMES[#API_NAMES + 1] = path
  API_INDEX["/" .. path] = #API_NAMES
  if #row.items > 0 then ITEM_APIS = ITEM_APIS + 1 end
end

--- The index of the API a request path names (ngx.var.uri): 0 ("other")
-- when the catalogue has none.
function _M.api_index(uri)
  local i = API_INDEX[uri]
  if i then return i end
  local row = type(uri) == "string" and #uri <= 256 and api.get(uri)
  return row and API_INDEX["/" .. row.path] or 0
end

--- The api label of an index.
function _M.api_name(i)
  return API_NAMES[i] or "other"
end

-- A code's label: its row in the table ("first-last" for a range), else
-- "unknown". Labels are kept by row: at most one string per row.
local code_labels = {}
local function code_label(code)
  local row = imerr.lookup(code)
  if not row then return "unknown" end
  local label = code_labels[row.code]
  if not label then
    label = row.last ~= row.code and row.code .. "-" .. row.last or
      tostring(row.code)
    code_labels[row.code] = label
  end
  return label
end

-- The dict key of a failure: class, reason and code, each bounded.
local function failure_key(kind, api_i, err)
  local reason = err.reason
  if type(reason) ~= "string" or not imerr.reasons[reason] then
    reason = "unknown"
  end
  local class = CLASSES[err.class] and err.class or "fatal"
  local code = err.code and code_label(err.code) or "none"
  return kind .. api_i .. "|" .. class .. "|" .. reason .. "|" .. code
end

--- Worst-case number of series /metrics can show, from the bounds of its
-- labels (docs/operators.md states it).
function _M.worst_case()
  local apis = #API_NAMES + 1
  -- Per API: a row of the table (its class and reason follow from the
  -- code), "unknown", or "none" with any reason.
  -- (a read-only view: indexed, as Lua 5.1's ipairs reads raw)
  local reasons = 0
  while imerr.reasons_list[reasons + 1] do reasons = reasons + 1 end
  local per_api = imerr.count + 1 + reasons
  local t = {
    requests = apis * #_M.OUTCOMES,
    attempts = apis, retries = apis,
    refused = apis * #_M.REFUSERS,
    failures = apis * per_api,
    -- Items fail only in the answers of APIs with per-item results, and
    -- in those of APIs the catalogue lacks.
    item_failures = (ITEM_APIS + 1) * per_api,
    upstream_duration = apis * (NB + 1 + 2),
    callbacks = (#_M.COMMANDS + 1) * #_M.ANSWERS,
    dropped = 1, free = 1,
  }
  local total = 0
  for _, n in pairs(t) do total = total + n end
  t.total = total
  return t
end

-- The worker logs a full dict once (through app.im_log, outside the
-- request, whose line would carry the caller's usersig).
local warned = false
local function log_full(err)
  if warned then return end
  warned = true
  log(ngx.WARN, "imerr metrics: cannot count (", tostring(err),
    "): new series are dropped and counted in ",
    "imerr_metrics_dropped_total; make lua_shared_dict imerr_metrics ",
    "larger")
end

local DROPPED = "dropped"

local function drop(dict, err)
  -- An existing number is changed in place: this needs no memory.
  if not dict:incr(DROPPED, 1) then dict:safe_add(DROPPED, 1) end
  log_full(err)
end

-- Adds n to key: incr when the key is there (no memory needed), else
-- safe_add, which fails on a full dict rather than evict another key.
local function bump(dict, key, n)
  local v, err = dict:incr(key, n)
  if v then return end
  if err == "not found" then
    local ok
    ok, err = dict:safe_add(key, n)
    if ok then return end
    -- Another worker added it in between.
    if err == "exists" and dict:incr(key, n) then return end
  end
  drop(dict, err)
end

-- Keys made once per worker: the request's outcome and the histogram's.
local request_keys, bucket_keys, sum_keys = {}, {}, {}

local function request_key(api_i, outcome, attempts, refuser)
  local k = ((api_i * 8 + outcome) * 64 + attempts) * 4 + refuser
  local key = request_keys[k]
  if not key then
    key = "q" .. api_i .. "|" .. outcome .. "|" .. attempts .. "|" .. refuser
    request_keys[k] = key
  end
  return key
end

local function bucket_of(seconds)
  for b = 1, NB do
    if seconds <= BUCKETS[b] then return b end
  end
  return NB + 1
end

local function bucket_key(api_i, b)
  local k = api_i * 16 + b
  local key = bucket_keys[k]
  if not key then
    key = "h" .. api_i .. "|" .. b
    bucket_keys[k] = key
  end
  return key
end

local function sum_key(api_i)
  local key = sum_keys[api_i]
  if not key then
    key = "s" .. api_i
    sum_keys[api_i] = key
  end
  return key
end

local function count_items(dict, api_i, items)
  local by_key = {}
  for _, f in ipairs(items) do
    local key = failure_key("i", api_i, f)
    by_key[key] = (by_key[key] or 0) + 1
  end
  for key, n in pairs(by_key) do bump(dict, key, n) end
end

local function count(dict, rec)
  local api_i, n = rec.api or 0, rec.attempts or 0
  local durations, errors = rec.durations, rec.errors
  for k = 1, n do
    local d = durations and durations[k]
    if d then
      bump(dict, bucket_key(api_i, bucket_of(d)), 1)
      bump(dict, sum_key(api_i), d)
    end
    local err = errors and errors[k]
    if err then bump(dict, failure_key("f", api_i, err), 1) end
  end
  if rec.items then count_items(dict, api_i, rec.items) end
  -- Attempts above 63 (a policy of that many) share the last key.
  bump(dict, request_key(api_i, OUTCOME[rec.outcome] or 3,
    n < 63 and n or 63, REFUSER[rec.refused] or 0), 1)
end

--- Counts one request of the proxy, from its record (app.im_proxy):
-- api (index), outcome, attempts, durations and errors (per attempt: the
-- seconds it took, its error table or false), items (failed items),
-- refused ("rate_limiter", "budget" or nil). Never raises: a failure to
-- count is logged once and the request goes on.
function _M.count(rec, dict)
  dict = dict or ngx.shared.imerr_metrics
  local ok, err = pcall(count, dict, rec)
  if not ok then log_full(err) end
end

--- Counts one answer of the callback endpoint: command (CallbackCommand,
-- any value) and answer (one of ANSWERS). Never raises.
function _M.callback(command, answer, dict)
  dict = dict or ngx.shared.imerr_metrics
  local key = "c" .. (COMMAND[command] or 0) .. "|" .. (ANSWER[answer] or 5)
  local ok, err = pcall(bump, dict, key, 1)
  if not ok then log_full(err) end
end

--- init_by_lua: the dropped counter exists before any request, so that
-- counting a drop never needs memory.
function _M.init(dict)
  dict = dict or ngx.shared.imerr_metrics
  if dict then dict:safe_add(DROPPED, 0) end
end

-- Adds v to t[a][b].
local function add2(t, a, b, v)
  local row = t[a]
  if not row then
    row = {}
    t[a] = row
  end
  row[b] = (row[b] or 0) + v
end

-- The dict's counts, added up by series.
local function gather(dict)
  local s = { requests = {}, attempts = {}, retries = {}, refused = {},
    failures = {}, items = {}, buckets = {}, sums = {}, callbacks = {} }
  for _, key in ipairs(dict:get_keys(0)) do
    local v = dict:get(key)
    local kind = type(v) == "number" and key:sub(1, 1)
    if kind == "q" then
      local a, o, n, r = key:match("^q(%d+)|(%d)|(%d+)|(%d)$")
      a, n, r = tonumber(a), tonumber(n), tonumber(r)
      add2(s.requests, a, tonumber(o), v)
      s.attempts[a] = (s.attempts[a] or 0) + n * v
      s.retries[a] = (s.retries[a] or 0) + (n > 1 and n - 1 or 0) * v
      if r > 0 then add2(s.refused, a, r, v) end
    elseif kind == "f" or kind == "i" then
      local a, rest = key:match("^.(%d+)|(.*)$")
      add2(kind == "f" and s.failures or s.items, tonumber(a), rest, v)
    elseif kind == "h" then
      local a, b = key:match("^h(%d+)|(%d+)$")
      add2(s.buckets, tonumber(a), tonumber(b), v)
    elseif kind == "s" then
      s.sums[tonumber(key:sub(2))] = v
    elseif kind == "c" then
      local c, ans = key:match("^c(%d+)|(%d)$")
      add2(s.callbacks, tonumber(c), tonumber(ans), v)
    end
  end
  s.dropped = dict:get(DROPPED) or 0
  s.free = dict:free_space()
  return s
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  sort(keys)
  return keys
end

local function num(v)
  if v == math.floor(v) and v < 2 ^ 53 then return format("%d", v) end
  return format("%.6f", v)
end

local function header(out, name, kind, help)
  out[#out + 1] = "# HELP " .. name .. " " .. help
  out[#out + 1] = "# TYPE " .. name .. " " .. kind
end

local function by_api(out, name, t)
  for _, a in ipairs(sorted_keys(t)) do
    out[#out + 1] = format('%s{api="%s"} %s', name, API_NAMES[a], num(t[a]))
  end
end

-- The series of a counter by API and one more label (label), whose
-- values are values (t[api][i] is the count of values[i]).
local function by_api_and(out, name, t, label, values)
  for _, a in ipairs(sorted_keys(t)) do
    for i, value in ipairs(values) do
      local v = t[a][i]
      if v then
        out[#out + 1] = format('%s{api="%s",%s="%s"} %s', name, API_NAMES[a],
          label, value, num(v))
      end
    end
  end
end

local function failures(out, name, t)
  for _, a in ipairs(sorted_keys(t)) do
    local row = t[a]
    for _, labels in ipairs(sorted_keys(row)) do
      local class, reason, code = labels:match("^([^|]*)|([^|]*)|(.*)$")
      out[#out + 1] = format(
        '%s{api="%s",class="%s",reason="%s",code="%s"} %s', name,
        API_NAMES[a], class, reason, code, num(row[labels]))
    end
  end
end

local function histogram(out, s)
  local name = "imerr_upstream_duration_seconds"
  for _, a in ipairs(sorted_keys(s.buckets)) do
    local row, total, api_name = s.buckets[a], 0, API_NAMES[a]
    for b = 1, NB + 1 do
      total = total + (row[b] or 0)
      out[#out + 1] = format('%s_bucket{api="%s",le="%s"} %s', name,
        api_name, LE[b], num(total))
    end
    out[#out + 1] = format('%s_sum{api="%s"} %s', name, api_name,
      num(s.sums[a] or 0))
    out[#out + 1] = format('%s_count{api="%s"} %s', name, api_name,
      num(total))
  end
end

--- The metrics as Prometheus text (format 0.0.4).
function _M.text(dict)
  dict = dict or ngx.shared.imerr_metrics
  local s, out = gather(dict), {}
  header(out, "imerr_requests_total", "counter",
    "Requests to the REST proxy, by API and outcome.")
  by_api_and(out, "imerr_requests_total", s.requests, "outcome",
    _M.OUTCOMES)
  header(out, "imerr_attempts_total", "counter",
    "Calls of the upstream (first attempts and retries), by API.")
  by_api(out, "imerr_attempts_total", s.attempts)
  header(out, "imerr_retries_total", "counter",
    "Attempts after a request's first one (retries spent), by API.")
  by_api(out, "imerr_retries_total", s.retries)
  header(out, "imerr_refused_total", "counter",
    "Requests the rate limiter refused before an attempt, and retries the "
      .. "retry budget refused, by API.")
  by_api_and(out, "imerr_refused_total", s.refused, "by", _M.REFUSERS)
  header(out, "imerr_failures_total", "counter",
    "Failed attempts (an IM code, an HTTP status or a transport failure), "
      .. "by API, class, reason and code.")
  failures(out, "imerr_failures_total", s.failures)
  header(out, "imerr_item_failures_total", "counter",
    "Failed items of answered batch requests, by API, class, reason and code.")
  failures(out, "imerr_item_failures_total", s.items)
  header(out, "imerr_upstream_duration_seconds", "histogram",
    "Time of each upstream attempt, in seconds, by API.")
  histogram(out, s)
  header(out, "imerr_callbacks_total", "counter",
    "Answers of the callback endpoint, by command and answer.")
  -- Every command's refused series exists from the start: an alert on
  -- its rate sees the first refusal.
  for c = 0, #_M.COMMANDS do
    local row = s.callbacks[c] or {}
    for ans, answer in ipairs(_M.ANSWERS) do
      local v = row[ans] or (answer == "refused" and 0)
      if v then
        out[#out + 1] = format(
          'imerr_callbacks_total{command="%s",answer="%s"} %s', COMMANDS[c],
          answer, num(v))
      end
    end
  end
  header(out, "imerr_metrics_dropped_total", "counter",
    "Counts dropped because the metrics dict was full.")
  out[#out + 1] = "imerr_metrics_dropped_total " .. num(s.dropped)
  header(out, "imerr_metrics_dict_free_bytes", "gauge",
    "Free pages of the metrics dict, in bytes.")
  out[#out + 1] = "imerr_metrics_dict_free_bytes " .. num(s.free)
  return concat(out, "\n") .. "\n"
end

--- Content phase of /metrics.
function _M.serve()
  local text = _M.text()
  ngx.header["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8"
  ngx.header["Content-Length"] = #text
  ngx.print(text)
end

return _M
