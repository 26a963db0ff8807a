--- Answers Tencent's third-party callbacks (before-send callbacks): lets a
-- message through, rejects it (with the app's own code in 120001..130000
-- when the client should know why), or drops it silently. Every answer
-- is counted by command and answer (app.im_metrics).
local callback = require "imerr.callback"
local cjson = require "cjson.safe"
local http = require "app.im_http"
local metrics = require "app.im_metrics"

local log = require("app.im_log").log

local ngx = ngx
local type, ipairs = type, ipairs

local _M = {}

-- The app's rules: words and what to do about them.
local RULES = {
  { word = "forbidden", answer = function()
    return callback.reject(120001, "this message breaks the house rules")
  end },
  { word = "spam", answer = function() return callback.reject("spam") end },
  { word = "quietly", answer = callback.drop },
}

-- The text of a C2C message request's text elements.
local function message_text(req)
  local parts = {}
  if type(req.MsgBody) == "table" then
    for _, elem in ipairs(req.MsgBody) do
      local content = type(elem) == "table" and elem.MsgContent
      if type(content) == "table" and type(content.Text) == "string" then
        parts[#parts + 1] = content.Text
      end
    end
  end
  return table.concat(parts, "\n")
end

local function decide(req)
  local text = message_text(req)
  for _, rule in ipairs(RULES) do
    if text:find(rule.word, 1, true) then return rule.answer() end
  end
  return callback.allow()
end

-- Said when the body could not be read: Tencent lets a message through
-- when the callback fails, so a body nobody read is rejected instead.
local UNREAD = callback.encode(callback.reject("the message was not checked"))

--- Content phase of the callback endpoint. The body is read whole, from
-- memory or from nginx's temp file (bodies above client_body_buffer_size).
-- A signature check (callback.verify) that refuses a callback counts it
-- as metrics.callback(command, "refused") before it answers.
function _M.handle()
  -- Tencent names the command in the URL; the label is one of
  -- metrics.COMMANDS or "other", whatever the caller sends.
  local command = ngx.var.arg_CallbackCommand
  local body, err = http.request_body()
  ngx.header["Content-Type"] = "application/json"
  if not body then
    log(ngx.ERR, "imerr callback: ", err)
    ngx.say(UNREAD)
    metrics.callback(command, "error")
    return
  end
  local req = cjson.decode(body)
  if type(req) ~= "table" then
    ngx.status = ngx.HTTP_BAD_REQUEST
    ngx.say('{"error":"the callback body must be a JSON object"}')
    metrics.callback(command, "invalid")
    return
  end
  local answer = decide(req)
  ngx.say(callback.encode(answer))
  metrics.callback(command or req.CallbackCommand,
    answer.ErrorCode == callback.ALLOW and "allowed" or "blocked")
end

return _M
