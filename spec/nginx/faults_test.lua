-- The REST proxy and the callback endpoint against faulty upstreams and
-- large bodies, in a real nginx started by spec/nginx/run.sh. The /fault/
-- location (spec/nginx/locations.conf) has a 1 s deadline, 0.4 s per
-- attempt, a 0.2 s connect timeout and a 1 MB answer limit.
local http = require "socket.http"
local socket = require "socket"
local cjson = require "cjson"
local client = require "nginx.client"

local BASE, MOCK, RUN, app = client.BASE, client.MOCK, client.RUN, client.app
local request = client.request
http.TIMEOUT = 30

-- The bound a request of the /fault/ location must keep: its deadline,
-- plus 100 ms, plus one connect timeout. Checked with a margin of 0.3 s
-- for a loaded machine; the upstreams below would take 5 to 30 s.
local DEADLINE, CONNECT = 1, 0.2
local BOUND = DEADLINE + 0.1 + CONNECT + 0.3

local function stats(id)
  local _, text = request(MOCK .. "/mock/stats?id=" .. (id or "none"))
  return cjson.decode(text)
end

-- Calls the proxy under prefix with a scenario, for an app of its own;
-- returns status, decoded body, headers, the mock's record and the
-- seconds the request took.
local function im(prefix, scenario, body, extra)
  local id = scenario .. "-" .. RUN .. "-" .. math.random(1e9)
  local t0 = socket.gettime()
  -- portrait_get may be repeated after any failure (sendmsg may not: see
  -- the REST proxy's specs).
  local status, text, headers = request(
    ("%s%s/v4/profile/portrait_get?scenario=%s&id=%s%s%s"):format(
      BASE, prefix, scenario, id, extra or "", app()), body or '{"To_Account":"x"}')
  local took = socket.gettime() - t0
  local ok, decoded = pcall(cjson.decode, text)
  return status, ok and decoded or text, headers, stats(id), took
end

-- POSTs a body of n bytes to the proxy, one byte every gap seconds (the
-- first with the head), and waits at most wait seconds for the answer:
-- its status (nil for none) and the seconds from the request's first
-- byte to the answer's.
local function drip(path, n, gap, wait)
  local host, port = BASE:match("^http://([^:/]+):(%d+)")
  local sock = socket.tcp()
  sock:settimeout(2)
  assert(sock:connect(host, tonumber(port)))
  local body = ('{"To_Account":"x","Pad":"%s"}'):format(("x"):rep(n - 27))
  local t0 = socket.gettime()
  assert(sock:send(("POST %s HTTP/1.1\r\nHost: %s:%s\r\n" ..
    "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"):format(
    path, host, port, #body)))
  local sent = 0
  while socket.gettime() - t0 < wait do
    if sent < #body then
      sent = sent + 1
      sock:send(body:sub(sent, sent))
    end
    if socket.select({ sock }, nil, gap)[1] then
      local line = sock:receive("*l")
      local took = socket.gettime() - t0
      sock:close()
      return line and tonumber(line:match("^HTTP/1%.1 (%d%d%d)")), took
    end
  end
  sock:close()
  return nil, socket.gettime() - t0
end

-- A JSON request body of about n bytes.
local function body_of(n)
  local head = '{"To_Account":"x","Pad":"'
  local pad = {}
  for i = 1, n - #head - 2 do pad[i] = string.char(97 + i % 26) end
  return head .. table.concat(pad) .. '"}'
end

describe("request bodies", function()
  for _, prefix in ipairs { "", "/smallbuf" } do
    it("reach the upstream byte for byte (" .. (prefix == "" and "1 MB buffer" or
      "8 KB buffer, temp file") .. ")", function()
      for _, size in ipairs { 1024, 17 * 1024, 1024 * 1024 } do
        local body = body_of(size)
        local status, answer, _, record = im(prefix, "echo", body)
        assert.equal(200, status, size)
        assert.equal(#body, #answer.Echo, size)
        assert.equal(body, answer.Echo, size)
        assert.equal(1, record.attempts)
      end
    end)
  end

  it("above the 1 MB limit get 413 and never reach the upstream", function()
    local status, _, _, record = im("", "echo", body_of(1024 * 1024 + 1))
    assert.equal(413, status)
    assert.equal(0, record.attempts)
  end)
end)

describe("the callback endpoint with a large body", function()
  for _, path in ipairs { "/im/callback", "/smallbuf/im/callback" } do
    it("rejects a 17 KB message with a forbidden word (" .. path .. ")", function()
      local text = ("all fine here. "):rep(math.floor(17 * 1024 / 15)) .. "a forbidden word"
      local status, answer = request(BASE .. path .. "?" .. client.signed(),
        cjson.encode {
          CallbackCommand = "C2C.CallbackBeforeSendMsg", From_Account = "a",
          To_Account = "b", MsgBody = { { MsgType = "TIMTextElem",
            MsgContent = { Text = text } } } })
      assert.equal(200, status)
      assert.equal(120001, cjson.decode(answer).ErrorCode)
    end)
  end
end)

describe("the deadline", function()
  for _, case in ipairs {
    { "hang", "", "never answers" },
    { "slow", "&delay=5", "answers after 5 s" },
    { "drip", "", "sends a byte every 0.1 s" },
    { "short_hang", "", "sends less than its Content-Length and waits" },
    { "big_length", "", "declares 10 MB, sends a little and waits" },
  } do
    it("bounds a request to an upstream that " .. case[3], function()
      local status, body, headers, _, took = im("/fault", case[1], nil, case[2])
      assert.truthy(took < BOUND, ("%s took %.3f s"):format(case[1], took))
      if case[1] == "big_length" then
        -- refused at once: larger than the limit
        assert.equal(502, status)
        assert.equal("too_big", body.transport)
        return
      end
      assert.equal(504, status)
      assert.equal("timeout", body.transport)
      assert.equal("timeout", body.reason)
      assert.equal("transient", body.class)
      assert.equal(true, body.ambiguous)
      assert.equal("timeout", headers["x-imerr-transport"])
      assert.truthy(headers["x-imerr-stop"] == "deadline" or
        headers["x-imerr-stop"] == "max_attempts", headers["x-imerr-stop"])
    end)
  end

  it("counts from the start of the request, before its body came", function()
    -- 30 bytes over 0.9 s, then an upstream that never answers: the
    -- answer at the deadline, 1 s after the first byte.
    local id = "drip-start-" .. RUN
    local status, took = drip("/fault/v4/profile/portrait_get?scenario=hang&id=" ..
      id .. app(), 30, 0.031, 5)
    assert.equal(504, status)
    assert.truthy(took >= DEADLINE - 0.05, took)
    assert.truthy(took < BOUND, took)
  end)

  it("answers a client that drips its body past the deadline, at the deadline", function()
    -- 100 bytes, one every 0.1 s: the body would take 10 s.
    local id = "drip-long-" .. RUN
    local status, took = drip("/fault/v4/profile/portrait_get?scenario=ok&id=" ..
      id .. app(), 100, 0.1, 5)
    assert.equal(504, status)
    assert.truthy(took < BOUND, took)
    assert.equal(0, stats(id).attempts)
  end)

  it("lets an attempt that fits run to its answer", function()
    local status, body, _, record = im("/fault", "slow", nil, "&delay=0.2")
    assert.equal(200, status)
    assert.equal("OK", body.ActionStatus)
    assert.equal(1, record.attempts)
  end)

  it("leaves each attempt more than Tencent's 3 s in the example's defaults", function()
    local f = assert(io.open("examples/openresty/nginx.conf"))
    local conf = f:read("*a")
    f:close()
    local attempt = tonumber(conf:match("set %$imerr_attempt_timeout ([%d.]+);"))
    local deadline = tonumber(conf:match("set %$imerr_deadline ([%d.]+);"))
    local connect = tonumber(conf:match("set %$imerr_connect_timeout ([%d.]+);"))
    assert.truthy(attempt > 3 and attempt < deadline)
    assert.truthy(connect < attempt)
  end)
end)

describe("cut and short answers", function()
  for _, case in ipairs {
    { "cut", "short" }, { "cut_chunked", "cut" }, { "short", "short" },
  } do
    it("count as transient transport failures: " .. case[1], function()
      local status, body, headers, record = im("/fault", case[1])
      assert.equal(502, status)
      assert.equal(case[2], body.transport)
      assert.equal("transient", body.class)
      assert.equal(true, body.ambiguous)
      assert.equal(3, record.attempts)
      assert.equal(3, body.attempts)
      assert.equal("max_attempts", headers["x-imerr-stop"])
    end)
  end

  it("answers above the limit are refused, not retried, and never passed on", function()
    local status, body, headers, record, took = im("/fault", "big")
    assert.equal(502, status)
    assert.equal("too_big", body.transport)
    assert.equal("fatal", body.class)
    -- (one attempt, unless a loaded machine made an earlier one time out)
    assert.equal("fatal", headers["x-imerr-stop"])
    assert.equal(record.attempts, body.attempts)
    assert.truthy(took < BOUND)
  end)

  it("an upstream that does not speak HTTP is a bad response", function()
    local status, body, _, record = im("/fault", "garbage")
    assert.equal(502, status)
    assert.equal("protocol", body.transport)
    assert.equal("bad_response", body.reason)
    assert.equal(1, record.attempts)
  end)
end)

describe("the upstream connection", function()
  it("is kept alive between requests", function()
    local before = stats()
    for _ = 1, 20 do assert.equal(200, (im("", "ok"))) end
    local after = stats()
    assert.equal(20, after.requests - before.requests)
    -- Two workers, one pool each: all but the first request of each reuse.
    assert.truthy(after.reused - before.reused >= 15, after.reused - before.reused)
  end)

  it("over TLS accepts a certificate a trusted CA signed for its address", function()
    -- /tlsca trusts the CA run.sh made (lua_ssl_trusted_certificate) and
    -- verifies the chain and the name (127.0.0.1).
    local status, body, headers, record = im("/tlsca", "ok")
    assert.equal(200, status)
    assert.equal("OK", body.ActionStatus)
    assert.equal("1", headers["x-imerr-attempts"])
    assert.equal(1, record.attempts)
  end)

  it("over TLS refuses a certificate the trusted CA signed for another name", function()
    local status, body, _, record = im("/tlsname", "ok")
    assert.equal(502, status)
    assert.equal("connect", body.transport)
    assert.truthy(body.info:find("^TLS: "), body.info)
    assert.equal(0, record.attempts)
  end)

  it("over TLS refuses a certificate no trusted CA signed", function()
    local status, body, _, record = im("/tls", "ok")
    assert.equal(502, status)
    assert.equal("connect", body.transport)
    assert.truthy(body.info:find("^TLS: "), body.info)
    assert.equal(3, body.attempts)
    assert.equal(0, record.attempts)
  end)
end)

describe("answers to the client", function()
  it("cut a long upstream ErrorInfo and write valid JSON", function()
    local status, body = im("/fault", "wordy")
    assert.equal(504, status)
    assert.equal(70169, body.code)
    assert.truthy(#body.info <= 512, #body.info)
    assert.truthy(body.info:find("\239\191\189 line\n", 1, true))
  end)

  it("round delays below a millisecond up to one and still retry", function()
    local status, _, headers, record = im("/tiny", "flaky")
    assert.equal(200, status)
    assert.equal("2", headers["x-imerr-attempts"])
    assert.equal(2, record.attempts)
  end)
end)

describe("the workers' random numbers", function()
  it("differ between workers", function()
    local draws = {}
    for _ = 1, 200 do
      local _, text = request(MOCK .. "/worker")
      local pid, value = text:match("^(%d+) (%S+)")
      draws[pid] = draws[pid] or {}
      table.insert(draws[pid], value)
      local pids = {}
      for p, list in pairs(draws) do
        if #list >= 10 then pids[#pids + 1] = p end
      end
      if #pids >= 2 then break end
    end
    local pids = {}
    for p in pairs(draws) do pids[#pids + 1] = p end
    assert.equal(2, #pids)
    -- Unseeded workers share one sequence: their draws would overlap.
    local seen = {}
    for _, v in ipairs(draws[pids[1]]) do seen[v] = true end
    for _, v in ipairs(draws[pids[2]]) do assert.is_nil(seen[v], v) end
  end)
end)

describe("the request sent upstream", function()
  it("cannot be given extra lines through an encoded path", function()
    local status, text = request(BASE .. "/v4/openim/sendmsg%0D%0AX-Evil:%201" ..
      "?scenario=ok&id=evil-" .. RUN .. app(), "{}")
    assert.equal(400, status)
    assert.equal("bad_path", cjson.decode(text).reason)
    assert.equal(0, stats("evil-" .. RUN).attempts)
  end)
end)
