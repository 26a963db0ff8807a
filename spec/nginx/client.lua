-- What the nginx tests share: the servers spec/nginx/run.sh started
-- (IMERR_NGINX, IMERR_MOCK), a tag for this run, and one HTTP request.
local http = require "socket.http"
local ltn12 = require "ltn12"

local _M = {}

_M.BASE = assert(os.getenv("IMERR_NGINX"), "run through spec/nginx/run.sh")
_M.MOCK = assert(os.getenv("IMERR_MOCK"))
_M.RUN = tostring(os.time()) .. "-" .. tostring(math.random(1e6))

--- "&sdkappid=" and an SDKAppID of its own (the proxy refuses requests
-- without one, and limits each app apart).
function _M.app()
  return "&sdkappid=" .. math.random(1400000000, 2099999999)
end

--- GET url, or POST body to it: status, body text, headers.
function _M.request(url, body, content_type)
  local out = {}
  local _, status, headers = http.request {
    url = url, method = body and "POST" or "GET",
    source = body and ltn12.source.string(body),
    headers = body and { ["Content-Type"] = content_type or "application/json",
      ["Content-Length"] = #body },
    sink = ltn12.sink.table(out),
  }
  return status, table.concat(out), headers
end

return _M
