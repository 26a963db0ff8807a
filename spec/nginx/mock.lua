--- A stand-in for the Tencent IM REST API, for the nginx tests: answers
-- canned envelopes by ?scenario=, counts attempts per ?id= and records
-- when each came, and checks the UserSig of the proxy that signs;
-- ?scenario=dedupe de-duplicates messages as Tencent does and fails
-- attempts as ?faults= says.
local cjson = require "cjson.safe"
local retry = require "imerr.retry"
local sig = require "imerr.sig"

local ngx = ngx

local _M = {}

local function envelope(code, info, extra)
  local t = { ActionStatus = code == 0 and "OK" or "FAIL", ErrorCode = code,
    ErrorInfo = info or "", RequestId = "mock-" .. ngx.var.arg_id }
  for k, v in pairs(extra or {}) do t[k] = v end
  return cjson.encode(t)
end

-- Built once, when a worker loads the mock: the mock shares the workers
-- with the proxy, and building it per request would stall them and show
-- as growth in the workers' memory.
local BIG = '{"ActionStatus":"OK","ErrorCode":0,"Pad":"' ..
  ("x"):rep(10 * 1024 * 1024) .. '"}'

-- scenario -> function(attempt) -> HTTP status, body
local SCENARIOS = {
  ok = function() return 200, envelope(0) end,
  flaky = function(n)
    if n == 1 then return 200, envelope(70169, "Server timed out") end
    return 200, envelope(0)
  end,
  throttled = function() return 200, envelope(60007, "frequency limit") end,
  -- ?code= (70001 unless given) to every attempt, or to the first only.
  relogin = function()
    return 200, envelope(tonumber(ngx.var.arg_code) or 70001,
      "UserSig expired")
  end,
  relogin_once = function(n)
    if n == 1 then return 200, envelope(70001, "UserSig expired") end
    return 200, envelope(0)
  end,
  -- 70001 with an ErrorInfo that quotes the request's usersig, after ?pad=
  -- bytes: the proxy must not pass the quote on.
  quote = function()
    local pad = ("x"):rep(tonumber(ngx.var.arg_pad) or 0)
    return 200, envelope(70001, pad .. "UserSig " ..
      tostring(ngx.req.get_uri_args().usersig) .. " expired")
  end,
  partial = function()
    return 200, envelope(0, "", { ErrorList = {
      { To_Account = "alice", ErrorCode = 70107, ErrorInfo = "no such user" },
      { To_Account = "bob", ErrorCode = 90012, ErrorInfo = "not imported" },
    } })
  end,
  -- sns/friend_add: one item refused with a code, one id in Fail_Account.
  friends = function()
    return 200, envelope(0, "", {
      ResultItem = {
        { To_Account = "alice", ResultCode = 0, ResultInfo = "" },
        { To_Account = "bob", ResultCode = 30010, ResultInfo = "limit" },
      },
      Fail_Account = { "bob", "carol" },
    })
  end,
  junk = function() return 200, "<html><body>gateway says hi</body></html>" end,
  empty = function() return 200, "" end,
  bad_gateway = function() return 502, "bad gateway" end,
  not_found = function() return 404, "no such API" end,
  config = function() return 200, envelope(70009, "wrong key") end,
  -- The request body, back in the answer: the proxy must forward it whole.
  echo = function()
    ngx.req.read_body()
    local body = ngx.req.get_body_data()
    if not body then
      local f = io.open(ngx.req.get_body_file() or "", "rb")
      body = f and f:read("*a") or ""
      if f then f:close() end
    end
    return 200, envelope(0, "", { Echo = body })
  end,
  -- Answers after ?delay= seconds.
  slow = function()
    ngx.sleep(tonumber(ngx.var.arg_delay) or 1)
    return 200, envelope(0)
  end,
  -- 10 MB of valid JSON.
  big = function() return 200, BIG end,
  -- An upstream whose ErrorInfo is long, not UTF-8, with control bytes.
  wordy = function()
    return 200, envelope(70169, ("\255 line\n"):rep(20000))
  end,
}

-- Scenarios written on the raw connection: what a faulty upstream sends.
-- Each is a list of strings to send and numbers of seconds to sleep;
-- "wait" waits (up to 30 s) for the client to close.
local HEAD = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
local OK_BODY = '{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}'
local RAW = {
  -- Closes in the middle of a Content-Length body.
  cut = { HEAD .. "Content-Length: 100\r\n\r\n" .. OK_BODY:sub(1, 20) },
  -- Closes in the middle of a chunked body.
  cut_chunked = { HEAD .. "Transfer-Encoding: chunked\r\n\r\n14\r\n" ..
    OK_BODY:sub(1, 20) .. "\r\n" },
  -- A complete JSON body, shorter than its Content-Length, then close.
  short = { HEAD .. "Content-Length: 200\r\n\r\n" .. OK_BODY },
  -- The same, with the connection left open.
  short_hang = { HEAD .. "Content-Length: 200\r\n\r\n" .. OK_BODY, "wait" },
  -- Accepts the request and never answers.
  hang = { "wait" },
  -- A byte every 0.1 s: no single read ever waits long.
  drip = (function()
    local t = { HEAD .. "Content-Length: " .. #OK_BODY .. "\r\n\r\n" }
    for i = 1, #OK_BODY do
      t[#t + 1] = 0.1
      t[#t + 1] = OK_BODY:sub(i, i)
    end
    return t
  end)(),
  -- Declares 10 MB up front.
  big_length = { HEAD .. "Content-Length: 10485760\r\n\r\n" .. OK_BODY,
    "wait" },
  -- Not HTTP.
  garbage = { "SSH-2.0-OpenSSH_9.2\r\n" },
}

-- A complete 200 answer whose Echo is the request body: the specs mark
-- each request's body, so a client handed another's answer shows it.
local function echo_answer(body)
  local text = envelope(0, "", { Echo = body })
  return HEAD .. "Content-Length: " .. #text .. "\r\n\r\n" .. text
end

-- Hostile upstreams, built from the request body. Each answers in a way
-- that leaves bytes on the connection after what a careless client takes
-- for the end of the answer; those bytes come 0.3 s later, once the
-- connection is back in the proxy's pool, and are the answer to this
-- request: the next request on the connection would read them as its own.
local LATE = 0.3
local HOSTILE = {
  -- Interim answers, then the final one.
  early_hints = function(body)
    return { "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n",
      LATE, echo_answer(body), "wait" }
  end,
  continue = function(body)
    return { "HTTP/1.1 100 Continue\r\n\r\n", LATE, echo_answer(body), "wait" }
  end,
  -- A 204 that carries a body (an answer in its own right).
  nocontent_body = function(body)
    return { "HTTP/1.1 204 No Content\r\n\r\n", LATE, echo_answer(body),
      "wait" }
  end,
  -- Transfer-Encoding and Content-Length both, then extra bytes.
  te_cl = function(body)
    local text = envelope(0, "", { Echo = body })
    return { HEAD .. "Transfer-Encoding: chunked\r\nContent-Length: " ..
      #text .. "\r\n\r\n" .. ("%x\r\n"):format(#text) .. text ..
      "\r\n0\r\n\r\n", LATE, echo_answer(body), "wait" }
  end,
  -- Connection as a list of tokens: "keep-alive, close" means close.
  conn_list = function(body)
    local text = envelope(0, "", { Echo = body })
    return { HEAD .. "Connection: keep-alive, Close\r\nContent-Length: " ..
      #text .. "\r\n\r\n" .. text, LATE, echo_answer(body), "wait" }
  end,
  -- The echo, padded to ?size= bytes, sent in chunks of one byte each
  -- (six bytes on the wire per byte of body), then close (said, so that
  -- the connection is not taken for another request as it closes).
  chunks1 = function(body)
    local size = tonumber(ngx.var.arg_size) or 0
    local text = envelope(0, "", { Echo = body, Pad = "" })
    text = text:gsub('"Pad":""', '"Pad":"' .. ("x"):rep(size - #text) .. '"')
    local t = { HEAD, "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n" }
    for i = 1, #text do t[#t + 1] = "1\r\n" .. text:sub(i, i) .. "\r\n" end
    t[#t + 1] = "0\r\n\r\n"
    return { table.concat(t) }
  end,
}

---------------------------------------------------------------------------
-- Tencent's de-duplication, as its pages state it (written here from the
-- pages, not read from imerr's catalogue, which the test holds against
-- it): sendmsg keys on the sender, MsgSeq, MsgRandom and a CRC32 of the
-- content for 120 s; send_group_msg on Random for 300 s. A key field the
-- request lacks is filled at random by Tencent, so such a request is never
-- a duplicate. ?window= shortens the window (seconds).
local DEDUPE = {
  ["/v4/openim/sendmsg"] = { fields = { "MsgSeq", "MsgRandom" },
    sender = true, content = true, window = 120 },
  ["/v4/group_open_http_svc/send_group_msg"] = { fields = { "Random" },
    window = 300 },
}

-- JSON with object keys in byte order: the same content gives the same
-- text in every worker (the CRC32's input).
local function canonical(v)
  if type(v) ~= "table" then return cjson.encode(v) end
  if #v > 0 or next(v) == nil then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = canonical(x) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys)
  for i, k in ipairs(keys) do keys[i] = cjson.encode(k) .. ":" .. canonical(v[k]) end
  return "{" .. table.concat(keys, ",") .. "}"
end

-- The de-duplication key of a request body, or nil when it has none.
local function dedupe_key(rule, body)
  local msg = cjson.decode(body)
  if type(msg) ~= "table" then return nil end
  local parts = { ngx.var.uri }
  if rule.sender then
    parts[#parts + 1] = tostring(msg.From_Account or ngx.var.arg_identifier or "admin")
  end
  for _, f in ipairs(rule.fields) do
    local v = msg[f]
    if v == nil then v = "random:" .. math.random() .. ":" .. ngx.now() end
    parts[#parts + 1] = tostring(v)
  end
  if rule.content then
    parts[#parts + 1] = ngx.crc32_long(canonical(msg.MsgBody or {}))
  end
  return table.concat(parts, "|")
end

-- ?faults=a,b,...: what attempt n of this ?id= meets (then "ok"):
--   drop_before  the connection closes before Tencent takes the message
--   commit_drop  Tencent takes it (or discards a duplicate), then the
--                connection closes before any answer
--   commit_cut   taken, then the answer is cut in its body
--   commit_late  taken, then the answer comes after 1 s (past the
--                attempt timeout of /fault/)
--   ok           taken, and answered
-- Deliveries are counted per ?id= (one id a message): /mock/deliveries.
local function dedupe(n)
  ngx.req.read_body()
  local body = ngx.req.get_body_data() or ""
  local faults = {}
  for f in (ngx.var.arg_faults or ""):gmatch("[%w_]+") do faults[#faults + 1] = f end
  local fault = faults[n] or "ok"
  local rule = DEDUPE[ngx.var.uri]
  local id = ngx.var.arg_id or "none"
  ngx.shared.mock:set(id .. ":body:" .. n, body)
  local sock
  if fault ~= "ok" then sock = assert(ngx.req.socket(true)) end
  if fault == "drop_before" then return end
  local mock = ngx.shared.mock
  local key = rule and dedupe_key(rule, body)
  -- (an exptime of 0 would never expire)
  local window = math.max(tonumber(ngx.var.arg_window) or
    (rule and rule.window) or 0, 0.001)
  -- add: only the first of a key within its window is delivered.
  if not key or mock:add("key:" .. key, ngx.now(), window) then
    mock:incr("delivered:" .. id, 1, 0)
  else
    mock:incr("discarded:" .. id, 1, 0)
  end
  local text = envelope(0, "", { MsgTime = ngx.time(), MsgSeq = 1 })
  if fault == "ok" then
    ngx.print(text)
    return
  end
  if fault == "commit_cut" then
    sock:send(HEAD .. "Content-Length: " .. #text .. "\r\n\r\n" ..
      text:sub(1, 10))
  elseif fault == "commit_late" then
    ngx.sleep(1)
    sock:send(HEAD .. "Content-Length: " .. #text .. "\r\n\r\n" .. text)
  end
end

local function raw(steps)
  ngx.req.read_body()
  local sock = assert(ngx.req.socket(true))
  for _, step in ipairs(steps) do
    if step == "wait" then
      sock:settimeout(30000)
      sock:receive(1)
    elseif type(step) == "number" then
      ngx.sleep(step)
    elseif not sock:send(step) then
      return
    end
  end
end

-- The key of the signing proxy's tests ($mock_key_file), read once.
local key
local function sign_key()
  if not key then
    local f = io.open(ngx.var.mock_key_file or "", "rb")
    if not f then return nil end
    key = f:read("*a"):match("%S+")
    f:close()
  end
  return key
end

-- The request's usersig checked with the key (for the proxy that signs):
-- "ok" or why not, recorded for attempt n of id with the document's time
-- and whether it differs from the first attempt's. A usersig that
-- verifies is recorded in the stats' args as VERIFIED (the stats go to
-- the test, whose answers run.sh greps for it) and, with a piece of its
-- middle, written to $mock_seen (run.sh greps the logs for them).
local function check_usersig(mock, id, n)
  local args = ngx.req.get_uri_args()
  local usersig = args.usersig
  if type(usersig) ~= "string" or not sign_key() then return ngx.var.args end
  local doc, why = sig.verify_usersig(usersig, {
    sdkappid = tonumber(args.sdkappid) or 1, key = sign_key(),
    identifier = type(args.identifier) == "string" and args.identifier or "" })
  mock:set(id .. ":check:" .. n, doc and "ok" or why)
  if not doc then return ngx.var.args end
  mock:set(id .. ":sigtime:" .. n, doc.time)
  local first = mock:get(id .. ":sig1")
  if n == 1 then mock:set(id .. ":sig1", usersig) end
  mock:set(id .. ":fresh:" .. n, first ~= nil and first ~= usersig)
  local f = io.open(ngx.var.mock_seen or "", "a")
  if f then
    f:write(usersig, "\n", ngx.escape_uri(usersig), "\n",
      usersig:sub(60, 91), "\n")
    f:close()
  end
  return (("&" .. ngx.var.args):gsub("&usersig=[^&]*", "&usersig=VERIFIED")
    :sub(2))
end

function _M.handle()
  local id = ngx.var.arg_id or "none"
  local name = ngx.var.arg_scenario or "ok"
  local scenario = SCENARIOS[name]
  if name == "dedupe" then scenario = dedupe end
  if not scenario and not RAW[name] and not HOSTILE[name] then
    return ngx.exit(400)
  end
  local mock = ngx.shared.mock
  local n = mock:incr(id, 1, 0)
  mock:set(id .. ":" .. n, ngx.now())
  mock:set(id .. ":args", check_usersig(mock, id, n))
  -- Requests served on this connection so far: > 1 means keepalive.
  local reused = tonumber(ngx.var.connection_requests) > 1
  if reused then mock:incr("reused", 1, 0) end
  mock:incr("requests", 1, 0)
  if RAW[name] then return raw(RAW[name]) end
  if HOSTILE[name] then
    ngx.req.read_body()
    return raw(HOSTILE[name](ngx.req.get_body_data() or ""))
  end
  local status, body = scenario(n)
  if not status then return end
  ngx.status = status
  ngx.print(body)
end

--- /mock/deliveries?ids=PREFIX&n=N: for the messages PREFIX1 .. PREFIXN,
-- {"messages": N, "delivered": those delivered at least once,
-- "duplicates": deliveries beyond each message's first, "lost": those
-- never delivered, "discarded": copies the de-duplication took out}.
function _M.deliveries()
  local mock, prefix = ngx.shared.mock, ngx.var.arg_ids or ""
  local n = tonumber(ngx.var.arg_n) or 0
  local out = { messages = n, delivered = 0, duplicates = 0, lost = 0,
    discarded = 0 }
  for i = 1, n do
    local d = mock:get("delivered:" .. prefix .. i) or 0
    if d == 0 then out.lost = out.lost + 1 else out.delivered = out.delivered + 1 end
    if d > 1 then out.duplicates = out.duplicates + d - 1 end
    out.discarded = out.discarded + (mock:get("discarded:" .. prefix .. i) or 0)
  end
  ngx.say(cjson.encode(out))
end

--- /mock/stats?id=: {"attempts": n, "times": [...], "args": the query
-- of the last attempt, "requests": all requests, "reused": those on a
-- reused connection; scenario dedupe: "bodies", each attempt's body,
-- "delivered" and "discarded", the copies delivered and de-duplicated}
function _M.stats()
  local id = ngx.var.arg_id or "none"
  local mock = ngx.shared.mock
  local n = mock:get(id) or 0
  local times, checks, sigtimes, fresh, bodies = {}, {}, {}, {}, {}
  for i = 1, n do
    times[i] = mock:get(id .. ":" .. i)
    checks[i] = mock:get(id .. ":check:" .. i) or "none"
    sigtimes[i] = mock:get(id .. ":sigtime:" .. i) or 0
    fresh[i] = mock:get(id .. ":fresh:" .. i) or false
    bodies[i] = mock:get(id .. ":body:" .. i)
  end
  ngx.say(cjson.encode({ attempts = n, times = times, args = mock:get(id .. ":args"),
    requests = mock:get("requests") or 0, reused = mock:get("reused") or 0,
    checks = checks, sigtimes = sigtimes, fresh = fresh, bodies = bodies,
    delivered = mock:get("delivered:" .. id) or 0,
    discarded = mock:get("discarded:" .. id) or 0 }))
end

--- /mock/sign?token=current|previous|other&time=: the Sign of a callback
-- at that RequestTime, made with the test's current or previous token
-- ($mock_tokens_file) or with one of no configuration.
function _M.sign()
  local f = assert(io.open(ngx.var.mock_tokens_file, "rb"))
  local current, previous = f:read("*a"):match("(%S+)%s+(%S+)")
  f:close()
  local tokens = { current = current, previous = previous,
    other = "a-token-nobody-configured" }
  local token = tokens[ngx.var.arg_token]
  if not token then return ngx.exit(400) end
  ngx.say((assert(sig.callback_sign(token, ngx.var.arg_time))))
end

--- /worker: this worker's pid, its next math.random() draw and its next
-- draw of imerr's own generator (the de-duplication keys').
function _M.worker()
  ngx.say(ngx.worker.pid(), " ", ("%.17g"):format(math.random()), " ",
    require("imerr._random").u32())
end

--- /classify?code=: the class and reason imerr gives, from the module
-- installed for nginx's LuaJIT.
function _M.classify()
  local class, reason = retry.classify(ngx.var.arg_code)
  ngx.say(class, " ", reason)
end

return _M
