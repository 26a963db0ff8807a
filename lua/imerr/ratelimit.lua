--- imerr.ratelimit: stay under Tencent's limits before calling, for one
-- process, one nginx or a whole fleet, with state in an imerr.store.
-- Tencent limits per app (SDKAppID), not per server: 200 calls a second
-- for most REST APIs, so every node calling for one app must share one
-- limiter. A limiter is GCRA (a token bucket kept as one time per key):
-- burst calls at once, then `rate` a second. Throttling answers cut the
-- rate that every limiter on the key sees, as AWS's adaptive retry mode
-- does for one client; it grows back along the same CUBIC curve.
-- @module imerr.ratelimit
local imerr = require "imerr"
local store_mod = require "imerr.store"
local resolve = require("imerr._hint").resolve
local limits = require "imerr._limits"
local api_row = require("imerr._catalogue").row
local quote = require("imerr._private").quote
local sdkappid = require "imerr._app"

local type, pcall, setmetatable, rawget = type, pcall, setmetatable, rawget
local floor, tostring = math.floor, tostring
local num = limits.num

local _M = { _VERSION = imerr._VERSION }

-- AWS's adaptive mode: beta 0.7, scale 0.4, a floor of 0.5 calls/s.
local DEFAULTS = { burst = 1, beta = 0.7, scale = 0.4, hold = 1,
  key = "imerr:ratelimit" }
local MIN_RATE, MAX_RATE = 1e-3, 1e5

local Limiter = {}
Limiter.__index = Limiter

local function in_range(v, low, high)
  return type(v) == "number" and v > low and v <= high
end

local function rate_range(v)
  return type(v) == "number" and v >= MIN_RATE and v <= MAX_RATE,
    "a number of calls a second in [0.001, 1e5]"
end

local CHECKS = {
  rate = rate_range,
  burst = function(v) return in_range(v, 0, 1e9) and v >= 1,
    "a number of calls in [1, 1e9]" end,
  beta = function(v) return in_range(v, 0, 1) and v < 1,
    "a factor in (0, 1)" end,
  scale = function(v) return in_range(v, 0, 1e9), "a number in (0, 1e9]" end,
  hold = function(v) return type(v) == "number" and v >= 0 and v <= 3600,
    "a number of seconds in [0, 3600]" end,
  min_rate = rate_range,
  key = function(v) return type(v) == "string" and v ~= "",
    "a non-empty string" end,
  store = function(v) return store_mod.is_store(v),
    "a store from imerr.store" end,
}

--- ratelimit.new{ rate = 200, burst = 20, store = s, key = "...",
-- beta = 0.7, scale = 0.4, hold = 1, min_rate = 0.5 } -> a limiter, or
-- nil and a message. rate is calls a second, burst the calls that may go
-- at once; the store defaults to store.memory(). beta and scale shape the
-- adaptive rate; throttling answers within `hold` seconds of a cut do not
-- cut again (they answer calls sent before it); the rate never falls
-- below min_rate (0.5, or rate when lower). rate and min_rate are in
-- [0.001, 1e5], and scale must let a cut grow back to the full rate
-- within an hour (cbrt(rate * (1 - beta) / scale) + cbrt(rate / scale)
-- seconds at most): a limiter never stays cut for good.
-- @tparam table opts the options above; rate is required
-- @treturn Limiter a limiter
-- @return[2] nil
-- @treturn[2] string what is wrong with opts
function _M.new(opts)
  if type(opts) ~= "table" then
    return nil, "limiter options must be a table"
  end
  local l = setmetatable({}, Limiter)
  for k, v in pairs(DEFAULTS) do l[k] = v end
  for k, v in pairs(opts) do
    local check = CHECKS[k]
    if not check then return nil, "unknown limiter option " .. tostring(k) end
    local ok, what = check(v)
    if not ok then return nil, "limiter " .. k .. " must be " .. what end
    l[k] = v
  end
  if opts.rate == nil then return nil, "limiter rate is required" end
  if l.min_rate == nil then l.min_rate = l.rate < 0.5 and l.rate or 0.5 end
  if l.min_rate > l.rate then
    return nil, "limiter min_rate must not exceed rate"
  end
  -- scale with rate and beta: a cut must grow back within an hour.
  local bad = limits.bad_params(l)
  if bad then return nil, bad end
  if l.store == nil then l.store = store_mod.memory() end
  return l
end

--- A limiter, made by ratelimit.new or ratelimit.for_api.
-- @type Limiter

--- limiter:take([n]) -> 0 when n calls (1 by default) may go now, and
-- counts them; otherwise the seconds to wait before asking again, and
-- counts nothing. Never sleeps. nil and a message when n is not a number
-- in (0, burst] or the store fails (then the caller chooses: see README).
-- @tparam[opt=1] number n the calls about to go
-- @treturn number 0, or the seconds to wait
-- @return[2] nil
-- @treturn[2] string what failed
function Limiter:take(n)
  if n == nil then n = 1 end
  if type(n) ~= "number" or not (n > 0) or n > self.burst then
    return nil, "take needs a number of calls in (0, burst]"
  end
  local ok, wait, err = pcall(self.store.admit, self.store, self.key, n, self)
  if not ok then return nil, tostring(wait) end
  if wait == nil then return nil, err end
  return wait
end

--- limiter:current_rate() -> the calls a second allowed now on this key (the
-- configured rate, or less after throttling), or nil and a message.
-- @treturn number calls a second
-- @return[2] nil
-- @treturn[2] string what the store said
function Limiter:current_rate()
  local ok, r, err = pcall(self.store.rate, self.store, self.key, self)
  if not ok then return nil, tostring(r) end
  if r == nil then return nil, err end
  return r
end

-- The reason of what observe is given: a code, a hint (retry.hint,
-- retry.http_hint) or an error table of rest.check; nil for the rest.
local function reason_of(answer)
  local hint = resolve(answer)
  if hint then return hint.reason end
  if type(answer) == "table" then
    local reason = rawget(answer, "reason")
    if type(reason) == "string" then return reason end
  end
end

-- Tencent's over-limit alert as imerr.callback.over_limit reads it: true
-- when it is about this limiter (the same API and app, for a limiter of
-- calls; any, for one of ratelimit.new, which knows no API), false when
-- it is about another, nil when answer is no alert.
local OVER_LIMIT = sdkappid.OVER_LIMIT
local function alert_applies(l, answer)
  if type(answer) ~= "table" or rawget(answer, "alert") ~= OVER_LIMIT then
    return nil
  end
  if l.api == nil then return true end
  local app = rawget(answer, "app")
  return l.kind == "calls" and rawget(answer, "api") == l.api and
    (app == nil or app == l.app)
end

--- limiter:observe(answer) -> after a throttling answer (reason
-- rate_limited: 60007, 9506, 10023 ..., or retry.http_hint(429)), or an
-- over-limit alert of this limiter's API and app (callback.over_limit:
-- Tencent saw the API pass 80% of its limit), cuts the rate every
-- limiter on this key sees and returns the rate now in force, so that
-- the fleet slows before Tencent throttles; false for any other answer
-- (and for alerts about another API or app, or to a limiter of
-- recipients or of a group); growth back needs no store call: it follows
-- the time since the cut. nil and a message when the store fails.
-- @param answer a code, a hint, a rest.check error table or an alert
-- @return the rate now in force (a number), or false
-- @return[2] nil
-- @treturn[2] string what the store said
function Limiter:observe(answer)
  local alert = alert_applies(self, answer)
  if alert == false then return false end
  if not alert and reason_of(answer) ~= "rate_limited" then
    return false
  end
  local ok, r, err = pcall(self.store.cut, self.store, self.key, self)
  if not ok then return nil, tostring(r) end
  if r == nil then return nil, err end
  return r
end

--- Functions
-- @section functions

--- Whether l was made by ratelimit.new.
-- @param l any value
-- @treturn boolean
function _M.is_limiter(l)
  return getmetatable(l) == Limiter
end

-- The app may come from a request, so it is keyed by its canonical
-- decimal text (imerr._app.key): 1400000001, "1400000001" and
-- "01400000001" share one bucket, and anything else is refused rather
-- than given a bucket of its own.
local BAD_APP = "for_api needs app, the SDKAppID, as a whole number in " ..
  "1 .. 4294967295 or its decimal text"

local FOR_API_OPTIONS = { app = true, store = true, rate = true,
  burst = true, recipients = true, group = true }

-- The most recipients one batchsendmsg call may name: a recipients
-- limiter's default burst, so that take(n) accepts any one call.
local MAX_RECIPIENTS = 500

-- What a for_api limiter counts: its kind, the catalogue field with its
-- rate, the key's suffix and its default burst; or nil and a message.
local function limiter_kind(opts)
  local recipients, group = opts.recipients, opts.group
  if recipients ~= nil and type(recipients) ~= "boolean" then
    return nil, "for_api recipients must be true or false"
  end
  if group ~= nil and (type(group) ~= "string" or group == "" or
    #group > 128 or group:find("[%c]")) then
    return nil, "for_api group must be a GroupId: 1 to 128 bytes, " ..
      "no control characters"
  end
  if recipients and group then
    return nil, "for_api takes recipients or group, not both"
  end
  if recipients then
    return { kind = "recipients", field = "recipient_rate",
      suffix = ":recipients", burst = MAX_RECIPIENTS,
      what = "recipients a second" }
  elseif group then
    return { kind = "group", field = "group_rate",
      suffix = ":group:" .. group, what = "messages a second per group" }
  end
  return { kind = "calls", field = "rate", suffix = "",
    what = "calls a second" }
end

--- ratelimit.for_api(path, { app = sdkappid, store = s, rate = nil,
-- burst = nil, recipients = nil, group = nil }) -> a limiter for one REST
-- API of one app, at the rate imerr's catalogue (imerr.api) documents
-- (calls a second), keyed "imerr:rl:<app>:<path>", with a burst of a
-- tenth of the rate (at least 1). app is a whole number in 1 .. 2^32-1
-- or its decimal text, keyed in canonical decimal (1400000001,
-- "1400000001" and "01400000001" are one app); anything else is refused.
-- rate overrides the catalogue; without either, nil and a message.
-- Tencent limits some APIs twice; a second limiter keeps the other limit:
-- recipients = true gives the limiter of recipients (batchsendmsg: 12,000
-- a minute counted per recipient, recipient_rate 200 a second; key
-- "...:recipients", burst 500, the most one call may name), whose take(n)
-- takes the n recipients of one call: take 1 from the calls limiter and n
-- from this one before each call. group = GroupId gives the limiter of
-- one group (send_group_msg: 40 messages a second per group, group_rate;
-- key "...:group:<GroupId>"): take 1 from it and 1 from the calls limiter
-- before each message to that group; Tencent counts the group's messages
-- from clients too, so leave room when they post. Over-limit alerts
-- (callback.over_limit) reach limiters of calls only.
-- @string path a REST API path, e.g. "v4/openim/sendmsg"
-- @tparam[opt] table opts the options above
-- @treturn Limiter a limiter
-- @return[2] nil
-- @treturn[2] string why not
function _M.for_api(path, opts)
  if type(path) ~= "string" or path == "" then
    return nil, "for_api needs an API path"
  end
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then
    return nil, "for_api options must be a table"
  end
  for k in pairs(opts) do
    if not FOR_API_OPTIONS[k] then
      return nil, "unknown for_api option " .. quote(tostring(k), 40)
    end
  end
  local app = sdkappid.key(opts.app)
  if not app then return nil, BAD_APP end
  local kind, why = limiter_kind(opts)
  if not kind then return nil, why end
  -- The private row: what a caller wrote into a copy changes nothing.
  local info, err = api_row(path)
  if opts.rate == nil and type(info) ~= "table" then
    return nil, err or ("unknown REST API " .. path)
  end
  local rate = opts.rate
  if rate == nil then rate = num(info[kind.field]) end
  if rate == nil then
    return nil, ("no documented rate (%s) for %s"):format(kind.what, path)
  end
  local name = type(info) == "table" and type(info.path) == "string" and
    info.path or path
  local burst = opts.burst
  if burst == nil and type(rate) == "number" then
    burst = kind.burst or floor(rate / 10)
    if burst < 1 then burst = 1 end
  end
  local l
  l, err = _M.new { rate = rate, burst = burst, store = opts.store,
    key = "imerr:rl:" .. app .. ":" .. name .. kind.suffix }
  if not l then return nil, err end
  -- What over-limit alerts are matched against (alert_applies).
  l.api, l.app, l.kind = name, app, kind.kind
  return l
end

return _M
