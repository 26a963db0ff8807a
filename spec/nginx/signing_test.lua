-- Credentials in the OpenResty example: callbacks checked against the
-- callback tokens of run.sh (IMERR_CALLBACK_TOKENS for /im/callback, the
-- tokens' file for /filetokens/), and the proxy signing with the app's key
-- (/signed/, /envsigned/; app 1400000777). The mock signs the callbacks
-- and checks the proxy's UserSigs with the key; the specs never see a
-- token, the key or a UserSig (run.sh greps their answers for them).
local socket = require "socket"
local cjson = require "cjson"
local client = require "nginx.client"

local BASE, MOCK, RUN = client.BASE, client.MOCK, client.RUN
local request, signed = client.request, client.signed

local APP = "1400000777"
local COMMAND = "C2C.CallbackBeforeSendMsg"

local function message(text)
  return cjson.encode { CallbackCommand = COMMAND, From_Account = "a",
    To_Account = "b", MsgBody = { { MsgType = "TIMTextElem",
      MsgContent = { Text = text } } } }
end

-- POSTs a callback to path with query (after CallbackCommand): status,
-- body text, headers.
local function callback(path, query)
  return request(BASE .. path .. "?CallbackCommand=" .. COMMAND .. query,
    message("hello"))
end

local function refused_count()
  local _, text = request(BASE .. "/metrics")
  return tonumber(text:match('imerr_callbacks_total{command="' .. COMMAND ..
    '",answer="refused"} (%d+)')) or 0
end

describe("the callback endpoint's signature check", function()
  for _, path in ipairs { "/im/callback", "/filetokens/im/callback" } do
    it("answers 200 to a valid callback, with either token (" .. path .. ")",
      function()
        for _, token in ipairs { "current", "previous" } do
          local status, body = callback(path, signed(token))
          assert.equal(200, status)
          assert.same({ ActionStatus = "OK", ErrorCode = 0, ErrorInfo = "" },
            cjson.decode(body))
        end
        -- a clock 50 s ahead or behind Tencent's is within the window
        assert.equal(200, callback(path, signed("current", os.time() - 50)))
        assert.equal(200, callback(path, signed("current", os.time() + 50)))
      end)

    it("answers 403 and nothing else to a forged, a stale and an unsigned " ..
      "callback (" .. path .. ")", function()
        local before = refused_count()
        local now = os.time()
        local cases = {
          forged = signed("other"),
          stale = signed("current", now - 3600),
          ahead = signed("current", now + 3600),
          unsigned = "&SdkAppid=" .. APP,
          no_time = signed():gsub("&RequestTime=%d+", ""),
          bad_sign = signed():gsub("Sign=(%x)", function(c)
            return "Sign=" .. (c == "0" and "1" or "0")
          end),
          twice = signed() .. "&Sign=" .. ("0"):rep(64),
        }
        for name, query in pairs(cases) do
          local status, body, headers = callback(path, query)
          assert.equal(403, status, name)
          assert.equal("", body, name)
          assert.equal("0", headers["content-length"], name)
        end
        -- counted as refused (in the content phase, before the answer)
        local n = 0
        for _ in pairs(cases) do n = n + 1 end
        assert.equal(before + n, refused_count())
      end)
  end

  it("refuses a callback for another app where the app is set", function()
    local query = signed():gsub("SdkAppid=%d+", "SdkAppid=1400000001")
    assert.equal(403, (callback("/filetokens/im/callback", query)))
    -- /im/callback does not check the app
    assert.equal(200, (callback("/im/callback", query)))
  end)

  it("answers before the body comes: it is not read for a refusal",
    function()
      local host, port = BASE:match("^http://([^:/]+):(%d+)")
      local sock = socket.tcp()
      sock:settimeout(3)
      assert(sock:connect(host, tonumber(port)))
      -- 1,000 bytes announced, none sent: reading them would wait for
      -- client_body_timeout (10 s).
      assert(sock:send(("POST /im/callback?CallbackCommand=%s%s HTTP/1.1\r\n" ..
        "Host: %s:%s\r\nContent-Type: application/json\r\n" ..
        "Content-Length: 1000\r\n\r\n"):format(COMMAND, signed("other"),
        host, port)))
      local t0 = socket.gettime()
      local line, err = sock:receive("*l")
      sock:close()
      assert.equal("HTTP/1.1 403 Forbidden", line, err)
      assert.truthy(socket.gettime() - t0 < 2)
    end)

  it("refuses every callback when no token is configured", function()
    assert.equal(403, (callback("/notokens/im/callback", signed())))
    assert.equal(403, (callback("/notokens/im/callback", "")))
  end)

  it("lets unsigned callbacks in where $imerr_callback_unsigned is on",
    function()
      assert.equal(200, (callback("/unsigned/im/callback", "")))
    end)
end)

-- The mock's record of the attempts of id.
local function stats(id)
  local _, text = request(MOCK .. "/mock/stats?id=" .. id)
  return cjson.decode(text)
end

local function new_id(name)
  return name .. "-" .. RUN .. "-" .. math.random(1e9)
end

-- A call of portrait_get through prefix (/signed, ...) with the mock's
-- scenario and extra query: status, decoded body, headers, the mock's
-- record.
local function signed_call(prefix, scenario, extra, conn)
  local id = new_id(scenario)
  local path = ("%s/v4/profile/portrait_get?scenario=%s&id=%s&sdkappid=%s%s")
    :format(prefix, scenario, id, APP, extra or "")
  local status, body, headers
  if conn then
    status, body, headers = conn:post(path, '{"To_Account":["x"]}')
  else
    status, body, headers = request(BASE .. path, '{"To_Account":["x"]}')
  end
  return status, cjson.decode(body), headers, stats(id)
end

describe("the proxy that signs", function()
  it("sends its own identifier, usersig, random and contenttype, never " ..
    "the client's", function()
      local client_args = "&usersig=" .. client.USERSIG ..
        "&identifier=mallory&random=7&contenttype=xml&UserSig=" ..
        client.USERSIG .. "&%75sersig=" .. client.USERSIG
      local status, body, _, record = signed_call("/signed", "ok", client_args)
      assert.equal(200, status, cjson.encode(body))
      assert.equal(1, record.attempts)
      assert.same({ "ok" }, record.checks)
      local args = record.args
      assert.is_nil(args:find(client.USERSIG, 1, true))
      assert.is_nil(args:find("mallory", 1, true))
      local seen = {}
      for name, value in args:gmatch("([^&=]+)=([^&]*)") do
        seen[name] = seen[name] and seen[name] .. "," .. value or value
      end
      assert.equal("VERIFIED", seen.usersig)
      assert.equal("administrator", seen.identifier)
      assert.equal("json", seen.contenttype)
      assert.truthy(seen.random:find("^%d+$"))
      assert.equal(APP, seen.sdkappid)
      assert.truthy(seen.scenario and seen.id)
    end)

  it("signs with a key from the environment too", function()
    local status, _, _, record = signed_call("/envsigned", "ok",
      "&usersig=" .. client.USERSIG)
    assert.equal(200, status)
    assert.same({ "ok" }, record.checks)
  end)

  it("renews its UserSig after 70001 and calls once more, with the new one",
    function()
      -- One connection: one worker, whose UserSig is made by the first
      -- call at the latest, a second before the 70001 (a UserSig made in
      -- the same second would be the same text).
      local conn = assert(client.connection(BASE))
      assert.equal(200, (signed_call("/signed", "ok", nil, conn)))
      socket.sleep(1.1)
      local status, body, headers, record = signed_call("/signed",
        "relogin_once", nil, conn)
      conn:close()
      assert.equal(200, status, cjson.encode(body))
      assert.equal("2", headers["x-imerr-attempts"])
      assert.equal(2, record.attempts)
      assert.same({ "ok", "ok" }, record.checks)
      assert.is_true(record.fresh[2])
      assert.truthy(record.sigtimes[2] > record.sigtimes[1])
    end)

  for _, code in ipairs { 70001, 70052 } do
    it("stops after a second relogin answer: exactly one extra call (" ..
      code .. ")", function()
        local status, body, headers, record = signed_call("/signed",
          "relogin", "&code=" .. code)
        assert.equal(401, status)
        assert.equal(code, body.code)
        assert.equal("relogin", body.action)
        assert.equal("relogin", headers["x-imerr-stop"])
        assert.equal(2, body.attempts)
        assert.equal(2, record.attempts)
        assert.same({ "ok", "ok" }, record.checks)
      end)
  end

  it("never passes on a UserSig of its own that the upstream quotes",
    function()
      local _, body = signed_call("/signed", "quote")
      assert.equal("UserSig REDACTED expired", body.info)
      -- cut by the 512-byte bound on ErrorInfo inside the UserSig
      _, body = signed_call("/signed", "quote", "&pad=450")
      assert.equal(("x"):rep(450) .. "UserSig REDACTED...", body.info)
    end)

  it("refuses another app with 403, before any upstream call", function()
    local id = new_id("foreign")
    local status, body = request(BASE .. "/signed/v4/profile/portrait_get" ..
      "?scenario=ok&id=" .. id .. "&sdkappid=1400000001", "{}")
    assert.equal(403, status)
    assert.equal("foreign_app", cjson.decode(body).reason)
    assert.equal(0, stats(id).attempts)
  end)

  it("answers 500 without a word of the key when it cannot read it",
    function()
      local status, body, _, record = signed_call("/badkey", "ok")
      assert.equal(500, status)
      assert.same({ reason = "sign_key",
        info = "the proxy's signing key is not usable (see the error log)" },
        body)
      assert.equal(0, record.attempts)
    end)

  it("leaves the client's credentials alone without a key", function()
    local id = new_id("plain")
    local status = request(BASE .. "/v4/profile/portrait_get?scenario=ok" ..
      "&id=" .. id .. "&sdkappid=" .. APP .. "&usersig=" .. client.USERSIG, "{}")
    assert.equal(200, status)
    local record = stats(id)
    assert.truthy(record.args:find("usersig=" .. client.USERSIG, 1, true))
    -- (the mock finds no UserSig in the stand-in)
    assert.same({ "malformed" }, record.checks)
  end)
end)
