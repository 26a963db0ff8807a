--- imerr.retry: what to do about a code, and when to try again.
-- Classification comes from data/ through imerr's rows; this module adds
-- the policy: exponential backoff with jitter, per-code minimum delays,
-- attempt caps, deadlines, a shared retry budget and one retry after a
-- fresh login.
-- @module imerr.retry
local rows = require "imerr._rows"
local private = require "imerr._private"
local hints = require "imerr._hint"

local type, floor, setmetatable, huge = type, math.floor, setmetatable,
  math.huge
local resolve, hint_of = hints.resolve, rows.hints
-- The REST API catalogue, loaded by the first start{ api = path }, and
-- prepared requests, by the first start{ request = req }.
local api, requests
-- imerr.budget, loaded by the first budget made or checked: a policy
-- without one never needs it (nor the stores it works on).
local budget
local function budgets()
  budget = budget or require "imerr._budget"
  return budget
end

local _M = { _VERSION = rows.VERSION }

-- Attempts are capped whatever max_attempts says (gRPC clamps to 5).
-- The policy reads this local: the module's field below only tells it.
local HARD_MAX_ATTEMPTS = 10

--- The cap on attempts, whatever max_attempts says: 10 (a read-only
-- constant; changing this field changes no policy).
_M.HARD_MAX_ATTEMPTS = HARD_MAX_ATTEMPTS

-- Hints and classification are made by imerr._hint; retry hands them out.

--- The hint of an unknown code.
-- @table UNKNOWN

--- The hint of what is not a code.
-- @table INVALID

--- The hint of an answer that is not a valid REST envelope.
-- @table BAD_RESPONSE

--- The hint for an HTTP status of the transport.
-- @function http_hint
-- @int status an HTTP status, 100..599
-- @treturn table the hint
-- @return[2] nil
-- @treturn[2] string when status is no HTTP status

--- class, reason of a code.
-- @function classify
-- @param code a code: number or decimal string
-- @treturn string "ok", "transient" or "fatal"
-- @treturn string the reason
-- @treturn[opt] string a message, for an unknown code or bad input

--- The hint for a code.
-- @function hint
-- @param code a code: number or decimal string
-- @treturn table the hint; UNKNOWN for an unknown code
-- @return[2] nil
-- @treturn[2] string for what is not a code
_M.UNKNOWN, _M.INVALID = hints.UNKNOWN, hints.INVALID
_M.BAD_RESPONSE = hints.BAD_RESPONSE
_M.http_hint = hints.http_hint
_M.classify, _M.hint = hints.classify, hints.of

--- retry.budget{ capacity = 500, cost = 5, timeout_cost = 10, refund = 1,
-- shared = ngx.shared.DICT or store = s, key = "imerr:budget" } -> the
-- retry budget that every policy given it shares (a token bucket: a
-- retry takes cost tokens, a timeout's retry timeout_cost, a success
-- gives refund back), or nil and a message. Numbers in (0, 1e9]; key a
-- non-empty string; without store or shared, a memory store. Methods:
-- budget:take(timeout), budget:success(), budget:tokens().
-- @tparam[opt] table opts the options above
-- @return a budget
-- @return[2] nil
-- @treturn[2] string what is wrong with opts
function _M.budget(opts)
  return budgets().new(opts)
end


---------------------------------------------------------------------------
-- Policy: the delay before the next attempt, or why there is none.

local Policy = {}
Policy.__index = Policy

local JITTERS = { full = true, equal = true, decorrelated = true, none = true }
local positive_number = private.positive_number
local MAX_DELAY, MAX_DEADLINE = 3600, 86400

-- A draw of random() clamped to [0, 1], whatever the function returns.
local function draw(random)
  local r = random()
  if type(r) ~= "number" or not (r >= 0) then return 0 end
  if r > 1 then return 1 end
  return r
end

local default_clock = private.default_clock

local POLICY_NUMBERS = { base = true, throttle_base = true, cap = true,
  attempt_timeout = true }
local POLICY_OPTIONS = { max_attempts = true, base = true,
  throttle_base = true, cap = true, jitter = true, deadline = true,
  random = true, budget = true, clock = true, idempotent = true,
  attempt_timeout = true }

-- The safety margin of a de-duplication window: an attempt must reach
-- Tencent this long before the window ends, for the time Tencent takes
-- to take the request in, clocks that disagree and a first attempt that
-- reached Tencent after the caller's clock started: a tenth of the window,
-- at least 5 s.
local MARGIN_MIN, MARGIN_SHARE = 5, 0.1

-- Whether an attempt sent after delay, at elapsed seconds since the first
-- send, surely reaches Tencent inside the window.
local function inside_window(window, elapsed, delay, attempt_timeout)
  if window == huge then return true end
  if type(elapsed) ~= "number" or not (elapsed >= 0) then return false end
  local margin = window * MARGIN_SHARE
  if margin < MARGIN_MIN then margin = MARGIN_MIN end
  return elapsed + delay + attempt_timeout + margin <= window
end

local function check_policy(p)
  for k in pairs(POLICY_NUMBERS) do
    if not positive_number(p[k], MAX_DELAY) then
      return "policy " .. k .. " must be a number of seconds in (0, 3600]"
    end
  end
  local n = p.max_attempts
  if type(n) ~= "number" or n < 1 or n ~= floor(n) then
    return "policy max_attempts must be a whole number >= 1"
  end
  if not JITTERS[p.jitter] then
    return "policy jitter must be full, equal, decorrelated or none"
  end
  if p.deadline ~= nil and not positive_number(p.deadline, MAX_DEADLINE) then
    return "policy deadline must be a number of seconds in (0, 86400]"
  end
  if type(p.random) ~= "function" or type(p.clock) ~= "function" then
    return "policy random and clock must be functions"
  end
  if p.budget ~= nil and not budgets().is_budget(p.budget) then
    return "policy budget must come from retry.budget"
  end
  if type(p.idempotent) ~= "boolean" then
    return "policy idempotent must be a boolean"
  end
end

--- retry.policy{ max_attempts = 3, base = 0.05, throttle_base = 1,
-- cap = 20, jitter = "full", deadline = nil, random = math.random,
-- budget = nil, clock = ngx.now or a wall clock, idempotent = true,
-- attempt_timeout = 10 }
-- idempotent = false is for requests that must not be carried out twice
-- (sendmsg): no retry after an ambiguous failure (a timeout, a broken
-- connection or answer), which may have been carried out already; but
-- see policy:start{ request = req } for the APIs Tencent de-duplicates.
-- attempt_timeout is the longest one attempt can take, connect, send and
-- answer (seconds, in (0, 3600]): set it to at least the HTTP client's
-- timeouts, or a resend may reach Tencent after its window.
-- @tparam[opt] table opts the options above (numbers in seconds)
-- @treturn Policy a policy
-- @return[2] nil
-- @treturn[2] string what is wrong with opts
function _M.policy(opts)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then return nil, "policy options must be a table" end
  local p = setmetatable({ max_attempts = 3, base = 0.05, throttle_base = 1,
    cap = 20, jitter = "full", random = math.random, idempotent = true,
    attempt_timeout = 10 }, Policy)
  for k, v in pairs(opts) do
    if not POLICY_OPTIONS[k] then
      return nil, "unknown policy option " .. private.quote(tostring(k), 40)
    end
    p[k] = v
  end
  p.clock = p.clock or default_clock()
  local err = check_policy(p)
  if err then return nil, err end
  if p.max_attempts > HARD_MAX_ATTEMPTS then
    p.max_attempts = HARD_MAX_ATTEMPTS
  end
  return p
end

-- 2^(n-1) for every attempt count a policy allows.
local DOUBLINGS = {}
for n = 1, HARD_MAX_ATTEMPTS do DOUBLINGS[n] = 2 ^ (n - 1) end

-- The backoff before attempt n + 1, before floors and limits.
local function backoff(p, base, n)
  local ceiling = base * DOUBLINGS[n]
  if ceiling > p.cap then ceiling = p.cap end
  local jitter = p.jitter
  if jitter == "none" then return ceiling end
  local r = draw(p.random)
  if jitter == "full" then return r * ceiling end
  if jitter == "equal" then return ceiling / 2 + r * ceiling / 2 end
  -- Stateless form of AWS's decorrelated jitter: U(base, 3^n * base).
  local upper = base * 3 ^ n
  if upper > p.cap then upper = p.cap end
  if upper < base then return upper end
  return base + r * (upper - base)
end

local THROTTLED = { reduce_rate = true, retry_later = true }

--- A retry policy, made by retry.policy.
-- @type Policy

--- policy:next(code, attempt, elapsed, fresh_credentials) -> delay in
-- seconds before the next attempt, or nil and why not. code may also be
-- a hint or the error table of rest.check. Why not: "ok", "ambiguous"
-- (the policy, or the attempts' API, is not idempotent and the request
-- may have been carried out: find out before sending it again; for
-- attempts of a prepared request that Tencent de-duplicates, once a
-- resend could reach Tencent after the window), "fatal",
-- "relogin" (get a new UserSig, then call again with fresh_credentials =
-- true: that allows one retry), "max_attempts", "deadline", "budget", or
-- "invalid" (attempt or elapsed are not usable numbers). attempt counts
-- the attempts made so far (1 after the first failure); elapsed is
-- seconds since the first attempt started. (An attempts object passes
-- itself as last argument, to hear of budget tokens and the relogin.)
-- @param code a code, a hint or a rest.check error table
-- @int attempt the attempts made so far
-- @number[opt] elapsed seconds since the first attempt (0 if nil)
-- @bool[opt] fresh_credentials true after a new UserSig
-- @tparam[opt] Attempts attempts the attempts object asking
-- @treturn number the delay in seconds
-- @return[2] nil
-- @treturn[2] string why not
function Policy:next(code, attempt, elapsed, fresh_credentials, attempts)
  -- Decisions read private hints only: a known code's, the private one
  -- behind imerr's own public hint, or a checked copy of any other table.
  local hint = hint_of[code] or resolve(code)
  if not hint then return nil, "fatal" end
  local class, action = hint.class, hint.action
  if class == "ok" then return nil, "ok" end
  -- The de-duplication window a resend must reach Tencent in, when the
  -- failure is ambiguous and the request not idempotent.
  local window
  if hint.ambiguous == true then
    local idempotent = self.idempotent
    if attempts and attempts.idempotent ~= nil then
      idempotent = attempts.idempotent
    end
    if not idempotent then
      window = attempts and attempts.window
      if not window then return nil, "ambiguous" end
    end
  end
  local relogin = action == "relogin"
  if relogin then
    if fresh_credentials ~= true then return nil, "relogin" end
  elseif class ~= "transient" then
    return nil, "fatal"
  end
  if type(attempt) ~= "number" or not (attempt >= 1) or attempt % 1 ~= 0 then
    return nil, "invalid"
  end
  if attempt >= self.max_attempts then return nil, "max_attempts" end
  local delay = 0
  if not relogin then
    delay = backoff(self, THROTTLED[action] and self.throttle_base or self.base,
      attempt)
  end
  if delay < hint.min_delay then delay = hint.min_delay end
  if window and not inside_window(window, elapsed, delay,
    self.attempt_timeout) then
    return nil, "ambiguous"
  end
  if self.deadline then
    if elapsed == nil then elapsed = 0 end
    if type(elapsed) ~= "number" or not (elapsed >= 0) then
      return nil, "invalid"
    end
    if elapsed + delay > self.deadline then return nil, "deadline" end
  end
  if self.budget and not relogin then
    local taken = self.budget:take(hint.reason == "timeout")
    if not taken then return nil, "budget" end
    if attempts then attempts.taken = attempts.taken + taken end
  end
  if relogin and attempts then attempts.relogged = true end
  return delay
end

--- Reports a success to the budget, if any.
function Policy:success()
  if self.budget then self.budget:success() end
end

---------------------------------------------------------------------------
-- Attempts: the state of one logical request under a policy, so callers
-- need not count: attempts, elapsed time, the one relogin retry, and the
-- budget tokens to give back on success.

local Attempts = {}
Attempts.__index = Attempts

--- policy:start([opts]) -> an attempts object for one logical request,
-- or nil and a message. opts.api, a REST API path, takes idempotent from
-- the API catalogue (imerr.api); opts.idempotent (a boolean) overrides
-- it. Without either the policy's idempotent applies.
--
-- opts.request, a request of rest.prepare (instead of api), takes the API
-- from the request, and its body: attempts:body() gives the bytes to send
-- on every attempt (the attempts object keeps them; changing req.body
-- afterwards changes nothing). When the API is not idempotent but Tencent
-- de-duplicates it (the catalogue's dedupe: sendmsg 120 s, send_group_msg
-- 300 s, ...), an ambiguous failure is retried while the resend surely
-- reaches Tencent inside the window, counted from this call (call it
-- right before the first send): seconds since then + the delay +
-- attempt_timeout + a margin (a tenth of the window, at least 5 s) <=
-- window. Past that, and for APIs without a rule (batchsendmsg), nil and
-- "ambiguous" as without a request.
-- @tparam[opt] table opts { api = path, request = req, idempotent = boolean }
-- @treturn Attempts the attempts object
-- @return[2] nil
-- @treturn[2] string what is wrong with opts, or an unknown api
function Policy:start(opts)
  local idempotent, window, body
  if opts ~= nil then
    if type(opts) ~= "table" then
      return nil, "start options must be a table"
    end
    for k in next, opts do
      if k ~= "api" and k ~= "idempotent" and k ~= "request" then
        -- A misspelt api would otherwise repeat sendmsg after a timeout.
        return nil, "unknown start option " .. tostring(k)
      end
    end
    local path, req = rawget(opts, "api"), rawget(opts, "request")
    idempotent = rawget(opts, "idempotent")
    if idempotent ~= nil and type(idempotent) ~= "boolean" then
      return nil, "start option idempotent must be a boolean"
    end
    if req ~= nil then
      requests = requests or require "imerr._request"
      if not requests.is_request(req) then
        return nil, "start option request must come from rest.prepare"
      end
      if path ~= nil then
        return nil, "start options: give request or api, not both"
      end
      path, body = req.api, req.body
    end
    if path ~= nil then
      -- The catalogue, loaded by the first start{ api = path }.
      api = api or require("imerr._catalogue").row
      local row, err = api(path)
      if not row then return nil, err end
      if idempotent == nil then idempotent = row.idempotent end
      -- The window counts only for a body sent alike on every attempt.
      if body and row.dedupe then window = row.dedupe.window end
    end
  end
  return setmetatable({ policy = self, made = 1, started = self.clock(),
    fresh = false, relogged = false, taken = 0, idempotent = idempotent,
    window = window, sent = body }, Attempts)
end

--- The state of one logical request, made by policy:start.
-- @type Attempts

--- attempts:next(code) -> delay before the next attempt, or nil and why
-- (as policy:next). Counts the attempt when it returns a delay.
-- @param code a code, a hint or a rest.check error table
-- @treturn number the delay in seconds
-- @return[2] nil
-- @treturn[2] string why not
function Attempts:next(code)
  local p = self.policy
  local delay, why = p:next(code, self.made, p.clock() - self.started,
    self.fresh and not self.relogged, self)
  if not delay then return nil, why end
  self.made = self.made + 1
  return delay
end

--- Reports that the caller has fresh credentials (a new UserSig): the
-- next relogin code gets exactly one retry.
function Attempts:refreshed()
  self.fresh = true
end

--- Reports the request's success: refunds the budget.
function Attempts:success()
  local b = self.policy.budget
  if b then b:success(self.taken) end
end

--- The body to send on every attempt: the prepared request's bytes, as
-- they were when policy:start{ request = req } was called; nil for
-- attempts started without a request.
-- @treturn string|nil
function Attempts:body()
  return self.sent
end

--- Number of attempts made so far.
-- @treturn int
function Attempts:count()
  return self.made
end

return _M
