-- imerr's errors print in nginx: ngx.log takes the error table itself.
local client = require "nginx.client"

local LOG = assert(os.getenv("IMERR_NGINX_LOG"), "run through spec/nginx/run.sh")

local function escape(s)
  return (s:gsub("[^%w]", function(c) return ("%%%02X"):format(c:byte()) end))
end

local function log_text()
  local f = assert(io.open(LOG))
  local text = f:read("*a")
  f:close()
  return text
end

describe("app.im_log", function()
  it("logs a line without the request line and its usersig", function()
    local tag = "line-" .. client.RUN
    local status = client.request(client.BASE .. "/log-line?tag=" .. tag ..
      client.app())
    assert.equal(200, status)
    -- The timer runs after the answer: wait for the line.
    local line
    for _ = 1, 50 do
      for l in log_text():gmatch("[^\n]+") do
        if l:find("logged by im_log " .. tag, 1, true) then line = l end
      end
      if line then break end
      require("socket").sleep(0.02)
    end
    assert.truthy(line, "no line")
    assert.is_nil(line:find(client.USERSIG, 1, true))
    assert.is_nil(line:find("request:", 1, true))
  end)
end)

describe("an error of rest.check in nginx", function()
  it("goes to error.log with ngx.log as one line", function()
    local request = "log-" .. client.RUN
    local answer = '{"ActionStatus":"FAIL","ErrorCode":70001,' ..
      '"ErrorInfo":"UserSig expired","RequestId":"' .. request .. '"}'
    local status, body = client.request(client.BASE .. "/log-error?answer=" ..
      escape(answer))
    assert.equal(200, status)
    local line = "auth [70001 ERR_SVR_ACCOUNT_USERSIG_EXPIRED] UserSig " ..
      "expired (request " .. request .. ")"
    assert.equal(line .. "\n", body)
    local f = assert(io.open(LOG))
    local text = f:read("*a")
    f:close()
    assert.truthy(text:find("imerr test: " .. line, 1, true))
  end)
end)
