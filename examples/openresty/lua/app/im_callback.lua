--- Answers Tencent's third-party callbacks (before-send callbacks): lets a
-- message through, rejects it (with the app's own code in 120001..130000
-- when the client should know why), or drops it silently. Every answer
-- is counted by command and answer (app.im_metrics).
--
-- Every callback is checked before its body is read: Tencent signs each
-- one with the app's callback token (Sign and RequestTime in the query,
-- imerr.callback.verify); a callback that fails the check gets 403 and
-- nothing else. The tokens (the current one, then the previous one during
-- a rotation) come from the file $imerr_callback_token_file names, else
-- from the environment variable $imerr_callback_token_env names (which
-- nginx.conf must also list in an `env` line), read once per worker
-- (app.im_secret). Without tokens every callback is refused, unless
-- $imerr_callback_unsigned is "on" (development only: anyone who finds
-- the URL can then allow or block messages). $imerr_callback_sdkappid,
-- when set, must match the callback's SdkAppid.
local callback = require "imerr.callback"
local cjson = require "cjson.safe"
local http = require "app.im_http"
local metrics = require "app.im_metrics"
local sdkappid = require "app.im_sdkappid"
local secret = require "app.im_secret"

local log = require("app.im_log").log

local ngx = ngx
local type, ipairs, pcall, tonumber, tostring, concat = type, ipairs, pcall,
  tonumber, tostring, table.concat

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

-- Query arguments read, at most: Tencent sends seven; more is refused
-- rather than read in part (a repeated Sign could hide past the limit).
local MAX_ARGS = 32
-- The seconds RequestTime may be from this worker's clock, either way.
local WINDOW = 60

-- The check of a location's settings, per worker: { opts } (verify with
-- these options), { unsigned = true } (let every callback in), or {}
-- (refuse every callback).
local guards = {}

local function guard_of(var)
  local file = var.imerr_callback_token_file or ""
  local env = var.imerr_callback_token_env or ""
  local app = var.imerr_callback_sdkappid or ""
  local unsigned = var.imerr_callback_unsigned == "on"
  local key = concat({ file, env, app, tostring(unsigned) }, "\0")
  local g = guards[key]
  if g then return g end
  local tokens, err = secret.words(file, env)
  local where = secret.source_name(file, env)
  if tokens == false then
    g = { unsigned = unsigned }
    log(unsigned and ngx.WARN or ngx.ERR, "imerr callback: no callback ",
      "tokens configured: ", unsigned and "callbacks are taken unsigned " ..
      "($imerr_callback_unsigned on)" or "every callback is refused",
      " (set $imerr_callback_token_file, or the variable ",
      "$imerr_callback_token_env names, listed in an env line)")
  elseif not tokens then
    g = {}
    log(ngx.ERR, "imerr callback: tokens not read (", where, "): ", err,
      "; every callback is refused")
  elseif #tokens > 2 or #tokens[1] > 1024 or #(tokens[2] or "") > 1024 then
    g = {}
    log(ngx.ERR, "imerr callback: the ", where, " holds more than two ",
      "tokens or one over 1024 bytes; every callback is refused")
  elseif app ~= "" and not sdkappid.canonical(app) then
    g = {}
    log(ngx.ERR, "imerr callback: $imerr_callback_sdkappid is not a number; ",
      "every callback is refused")
  elseif not pcall(require, "imerr.sig") then
    g = {}
    log(ngx.ERR, "imerr callback: imerr.sig is not installed; every ",
      "callback is refused")
  else
    g = { opts = { tokens = tokens, window = WINDOW,
      sdkappid = app ~= "" and tonumber((sdkappid.canonical(app))) or nil } }
  end
  guards[key] = g
  return g
end

-- true when the callback may be read; else nil and why not.
local function check(args, aerr)
  local g = guard_of(ngx.var)
  if g.unsigned then return true end
  if not g.opts then return nil, "no_tokens" end
  if aerr == "truncated" then return nil, "too_many_args" end
  return callback.verify(args, g.opts)
end

-- 403 and nothing else: no body, no reason.
local function refuse()
  ngx.status = ngx.HTTP_FORBIDDEN
  ngx.header["Content-Length"] = 0
  ngx.send_headers()
  return ngx.exit(ngx.HTTP_OK)
end

--- Content phase of the callback endpoint: the signature check, then the
-- body, read whole, from memory or from nginx's temp file (bodies above
-- client_body_buffer_size).
function _M.handle()
  local args, aerr = ngx.req.get_uri_args(MAX_ARGS)
  -- Tencent names the command in the URL; the label is one of
  -- metrics.COMMANDS or "other", whatever the caller sends.
  local command = args.CallbackCommand
  if type(command) ~= "string" then command = nil end
  local ok, why = check(args, aerr)
  if not ok then
    log(ngx.INFO, "imerr callback: refused (", why, ")")
    metrics.callback(command, "refused")
    return refuse()
  end
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
