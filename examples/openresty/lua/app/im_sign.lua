--- The proxy's own credentials (app.im_proxy). With the app's secret key
-- named in nginx.conf ($imerr_sign_key_file or $imerr_sign_key_env, and
-- $imerr_sign_sdkappid), every upstream call carries an identifier, a
-- UserSig, a random and contenttype=json of the proxy's making, and
-- whatever of these the client sent is dropped: clients hold no
-- credentials. Requests for another app are refused (403). Without a key,
-- the client's query goes upstream as it came.
--
-- Each worker keeps its own imerr.sig admin (no secret in a shared dict,
-- no lock, no herd): get() returns the cached UserSig and makes a new one
-- a day before it expires; after a relogin answer (70001, 70052, ...) a
-- request renews it once, and the proxy retries once. The key is read
-- once per worker (app.im_secret), at the first signed request.
local secret = require "app.im_secret"
local sdkappid = require "app.im_sdkappid"

local log = require("app.im_log").log

local ngx = ngx
local type, pcall, ipairs, tonumber, setmetatable = type, pcall, ipairs,
  tonumber, setmetatable
local floor, min, random = math.floor, math.min, math.random
local concat, find = table.concat, string.find

local _M = {}

-- Query arguments the proxy writes itself when it signs; a client's are
-- dropped, whatever their case or escapes.
local OWN = { identifier = true, usersig = true, random = true,
  contenttype = true }

-- Signers by configuration (file, variable, app, identifier), per worker:
-- { app, identifier, admin } or { err }.
local signers = {}

-- The failure a misconfigured key gives every request: the details are in
-- the error log (once per worker), never in the answer.
local UNUSABLE = { status = 500, reason = "sign_key",
  info = "the proxy's signing key is not usable (see the error log)" }
local FOREIGN = { status = 403, reason = "foreign_app",
  info = "this proxy signs for one app only" }

-- A signer for the key the words of a secret hold, or { err = message }.
local function build(words, err, app, identifier)
  if not words then
    -- (false: the variable is unset or blank in this worker)
    return { err = err or "unset or empty (nginx passes a variable to " ..
      "its workers only when an env line names it)" }
  end
  if #words ~= 1 then return { err = "the key must be one word" } end
  local canonical, why = sdkappid.canonical(app)
  if not canonical then return { err = "$imerr_sign_sdkappid: " .. why } end
  local ok, sig = pcall(require, "imerr.sig")
  if not ok then return { err = "imerr.sig is not installed" } end
  local admin
  admin, err = sig.admin { sdkappid = tonumber(canonical), key = words[1],
    identifier = identifier }
  -- (sig.admin's messages never hold the key)
  if not admin then return { err = err } end
  return { app = canonical, identifier = identifier, admin = admin }
end

local function signer(var)
  local file = var.imerr_sign_key_file or ""
  local env = var.imerr_sign_key_env or ""
  if file == "" and env == "" then return false end
  local app = var.imerr_sign_sdkappid or ""
  local identifier = var.imerr_sign_identifier or ""
  if identifier == "" then identifier = "administrator" end
  local key = concat({ file, env, app, identifier }, "\0")
  local s = signers[key]
  if s then return s end
  local words, err = secret.words(file, env)
  s = build(words, err, app, identifier)
  if s.err then
    log(ngx.ERR, "imerr: the proxy cannot sign (key ",
      secret.source_name(file, env), "): ", s.err)
  end
  signers[key] = s
  return s
end

-- The client's query without the arguments the proxy writes.
local function foreign_args(args)
  local out = {}
  for part in args:gmatch("[^&]+") do
    local name = sdkappid.arg_name(part):lower()
    if not OWN[name] then out[#out + 1] = part end
  end
  return out
end

-- One request's signing: its path, rebuilt with the current UserSig.
local Request = {}
Request.__index = Request

--- request(var, app, uri, args) -> false when the location has no key (the
-- client's credentials go upstream), a signed request, or nil and the
-- refusal { status, reason, info } (a key that is not usable, another app).
-- app: the canonical sdkappid; args: the query app.im_sdkappid made.
function _M.request(var, app, uri, args)
  local s = signer(var)
  if not s then return false end
  if s.err then return nil, UNUSABLE end
  if app ~= s.app then return nil, FOREIGN end
  local parts = foreign_args(args)
  parts[#parts + 1] = "identifier=" .. ngx.escape_uri(s.identifier)
  -- One random per request, its attempts included; Tencent's is a 32-bit
  -- unsigned integer.
  parts[#parts + 1] = "random=" .. floor(random() * 4294967296)
  parts[#parts + 1] = "contenttype=json"
  return setmetatable({ signer = s, uri = uri, query = concat(parts, "&"),
    used = {} }, Request)
end

--- The path and query for the next attempt, with the worker's UserSig; nil
-- and a message when none could be made (a clock gone wrong).
function Request:path()
  local usersig, err = self.signer.admin:get()
  if not usersig then return nil, err end
  self.used[#self.used + 1] = usersig
  return self.uri .. "?" .. self.query .. "&usersig=" ..
    ngx.escape_uri(usersig)
end

--- After a relogin answer: a new UserSig for this worker, once per
-- request. true when one was made.
function Request:renew()
  if self.renewed then return false end
  self.renewed = true
  local usersig = self.signer.admin:renew()
  if not usersig then return false end
  log(ngx.INFO, "imerr: a new UserSig for ", self.signer.identifier,
    " after a relogin answer")
  return true
end

-- info with every whole usersig in it, and one cut at its end (ErrorInfo
-- is cut to 512 bytes, then "..."), replaced by REDACTED. (UserSigs hold
-- no dots: the dots are the cut's.)
local MIN_CUT = 8
local function redact(info, usersig)
  local parts, from = {}, 1
  while true do
    local s, e = find(info, usersig, from, true)
    if not s then break end
    parts[#parts + 1] = info:sub(from, s - 1)
    from = e + 1
  end
  parts[#parts + 1] = info:sub(from)
  info = concat(parts, "REDACTED")
  local body, dots = info:match("^(.-)(%.?%.?%.?)$")
  for k = min(#usersig - 1, #body), MIN_CUT, -1 do
    if body:sub(-k) == usersig:sub(1, k) then
      return body:sub(1, -k - 1) .. "REDACTED" .. dots
    end
  end
  return info
end

--- Removes this request's UserSigs from an error's info (what the
-- upstream said), should the upstream quote one: the client never holds
-- the proxy's credentials.
function Request:scrub(err)
  local info = type(err) == "table" and err.info
  if type(info) ~= "string" then return end
  for _, usersig in ipairs(self.used) do info = redact(info, usersig) end
  err.info = info
end

return _M
