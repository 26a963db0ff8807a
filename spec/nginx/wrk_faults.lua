-- wrk script: POSTs to the /fault/ location, cycling through the mock's
-- faulty and hostile upstreams (and some healthy ones).
-- luacheck: globals wrk request
local SCENARIOS = { "ok", "cut", "cut_chunked", "short", "short_hang", "hang",
  "drip", "slow&delay=0.2", "slow&delay=0.7", "big", "big_length", "garbage",
  "flaky", "throttled", "echo", "wordy", "ok", "partial", "early_hints",
  "continue", "nocontent_body", "te_cl", "conn_list", "chunks1&size=4096" }
local n = 0

wrk.method = "POST"
wrk.body = '{"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}'
wrk.headers["Content-Type"] = "application/json"

function request()
  n = n + 1
  local s = SCENARIOS[n % #SCENARIOS + 1]
  return wrk.format(nil, "/fault/v4/openim/sendmsg?scenario=" .. s ..
    "&id=wrk-" .. s:gsub("&.*", ""))
end
