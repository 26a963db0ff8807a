-- The REST proxy's upstream connections over keepalive, in a real nginx
-- started by spec/nginx/run.sh. The hostile upstreams of the mock
-- (spec/nginx/mock.lua) answer in ways that leave bytes on the connection
-- after what a careless client takes for the end of the answer. Two
-- requests on one client connection are served by one worker, from its
-- one pool of upstream connections: the second request must get its own
-- answer, never what the first left behind.
local cjson = require "cjson"
local client = require "nginx.client"

local BASE, MOCK, RUN = client.BASE, client.MOCK, client.RUN

-- A request body that names its request.
local function marked(tag)
  return cjson.encode({ To_Account = "x",
    Marker = tag .. "-" .. RUN .. "-" .. math.random(1e9) })
end

-- Calls the proxy on conn: status, decoded answer (or its text),
-- headers, the mock's count of attempts.
local function call(conn, prefix, scenario, body, extra)
  local id = scenario .. "-" .. RUN .. "-" .. math.random(1e9)
  local status, text, headers = assert(conn:post(
    ("%s/v4/profile/portrait_get?scenario=%s&id=%s%s"):format(prefix,
      scenario, id, extra or ""), body))
  local _, stats = client.request(MOCK .. "/mock/stats?id=" .. id)
  local ok, answer = pcall(cjson.decode, text)
  return status, ok and answer or text, headers, cjson.decode(stats).attempts
end

-- What the first client gets: its own answer, or a failure.
local function own(status, answer, body, headers)
  assert.equal(200, status)
  assert.equal(body, answer.Echo)
  assert.equal("1", headers["x-imerr-attempts"])
end

local CASES = {
  { "early_hints", "103 Early Hints before its 200", check = own },
  { "continue", "an unasked 100 Continue before its 200", check = own },
  { "nocontent_body", "a 204 with a body", check = function(status, answer)
    assert.equal(502, status)
    assert.equal("bad_response", answer.reason)
  end },
  -- Refused: which bytes answer the request is in doubt (im_http.lua).
  { "te_cl", "Transfer-Encoding and Content-Length, then more bytes",
    check = function(status, answer)
      assert.equal(502, status)
      assert.equal("protocol", answer.transport)
      assert.equal("bad_response", answer.reason)
      assert.equal(true, answer.ambiguous)
    end },
  { "conn_list", '"Connection: keep-alive, Close", then more bytes',
    check = own },
  -- Read 64 KB at a time (/bigbuf/, 1 s deadline, 0.4 s per attempt): a
  -- reader that copies what is left of its buffer for each chunk takes
  -- seconds of CPU for this answer, one that keeps an offset milliseconds.
  { "chunks1", "64 KB in chunks of one byte", prefix = "/bigbuf",
    extra = "&size=65536", check = function(status, answer, body, headers)
      own(status, answer, body, headers)
      assert.truthy(#answer.Pad > 65000, #answer.Pad)
    end },
  { "hang", "no answer", prefix = "/fault", check = function(status, answer)
    assert.equal(504, status)
    assert.equal("timeout", answer.transport)
  end },
}

describe("after a hostile upstream, over keepalive", function()
  for _, case in ipairs(CASES) do
    it("the next client gets its own answer: " .. case[2], function()
      local conn = assert(client.connection(BASE))
      local first, second = marked("first"), marked("second")
      local status, answer, headers = call(conn, case.prefix or "", case[1],
        first, case.extra)
      local status2, answer2 = call(conn, "", "echo", second)
      conn:close()
      assert.equal(200, status2)
      assert.equal(second, answer2.Echo)
      case.check(status, answer, first, headers)
    end)
  end
end)

describe("the pool of upstream connections", function()
  it("never hands a TLS connection to a plain upstream on the same port", function()
    local conn = assert(client.connection(BASE))
    -- /tlsca leaves a TLS connection to the CA-signed mock in the pool;
    -- /plainsigned speaks plain HTTP to the same port, which that mock
    -- refuses (400) before its handler runs.
    local status, answer = call(conn, "/tlsca", "ok", marked("tls"))
    assert.equal(200, status)
    assert.equal("OK", answer.ActionStatus)
    local _, attempts
    status, answer, _, attempts = call(conn, "/plainsigned", "ok", marked("plain"))
    assert.equal(502, status)
    assert.equal("bad_response", answer.reason)
    assert.equal(0, attempts)
    conn:close()
  end)
end)
