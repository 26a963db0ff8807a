-- Lua benchmarks: ns per call of imerr's hot functions and of two
-- baselines measured in the same run: (a) a raw table index and (b) a
-- plain Lua function indexing a prebuilt table, the floor for any
-- function API. Run by bench/run.sh under lua5.4 and luajit.
local imerr = require "imerr"
local retry = require "imerr.retry"
local rest = require "imerr.rest"
local cjson = require "cjson"

local N = tonumber(arg and arg[1]) or 1000000
local clock = os.clock

-- A mix of known codes, as a service sees them.
local CODES = { 9510, 70001, 60007, 6017, -302, 20004, 10010, 70169, 90024,
  -10001, 30539, 0, 40003, 9520, 10006, 80001 }

local prebuilt = {}
for _, c in ipairs(CODES) do prebuilt[c] = imerr.lookup(c) end
local function baseline_b(c) return prebuilt[c] end

local ROUNDS = 7

local function median(t)
  table.sort(t)
  return t[math.floor((#t + 1) / 2)]
end

-- ns per iteration of run(), once.
local function once(run, n)
  -- From a collected heap: no timing pays for the garbage of the one
  -- before it (rest.check's batches leave megabytes).
  collectgarbage()
  local t0 = clock()
  run()
  return (clock() - t0) / n * 1e9
end

-- The median ns of run(), and the median ratio to base() timed right
-- before it in each round: a slow spell of the machine hits both.
local function timed(run, base, n)
  n = n or N
  run()
  if base then base() end
  local ns, ratios = {}, {}
  for i = 1, ROUNDS do
    local b = base and once(base, n)
    ns[i] = once(run, n)
    ratios[i] = b and ns[i] / b
  end
  return median(ns), base and median(ratios)
end

-- Each timed loop is compiled from its own source, so that LuaJIT traces
-- one loop per function instead of one loop shared by all of them. The
-- loop stores each result in sink so that none is dropped as dead code;
-- its own cost is in every figure here.
local load = loadstring or load
local LOOP = [[
local f, codes, N = ...
local n, sink = #codes
return function()
  for i = 1, N do sink = %s end
  return sink
end
]]

local function loop(expr, f, codes)
  return assert(load(LOOP:format(expr)))(f, codes, N)
end

-- The loop calling f over the code mix (or codes).
local function calls(f, codes)
  return loop("f(codes[i % n + 1])", f, codes or CODES)
end

local results = {}
local function report(name, run, base, n)
  local ns, ratio = timed(run, base, n)
  results[#results + 1] = { name, ns, ratio }
end

local b = calls(baseline_b)
report("(a) raw table index", loop("f[codes[i % n + 1]]", prebuilt, CODES),
  b)
report("(b) Lua function over a table", b, b)
local policy = retry.policy { max_attempts = 5 }
local hot = {
  { "imerr.lookup", imerr.lookup },
  { "imerr.name", imerr.name },
  { "imerr.message", imerr.message },
  { "retry.classify", retry.classify },
  { "retry.hint", retry.hint },
  { "policy:next", function(c) return policy:next(c, 2, 0.1) end },
}
for _, h in ipairs(hot) do report(h[1], calls(h[2]), b) end

-- (c) the least a hand-written backoff does: a table of classes, full
-- jitter, a cap; the floor for policy:next.
local CLASS = {}
for code in imerr.entries() do CLASS[code] = retry.classify(code) end
local random, min = math.random, math.min
local function baseline_c(c)
  if CLASS[c] ~= "transient" then return nil end
  return random() * min(20, 0.05 * 2)
end
local c = calls(baseline_c)
report("(c) hand-written full-jitter backoff", c, b)
report("policy:next against (c)", calls(hot[6][2]), c)

report("imerr.lookup, unknown codes",
  calls(imerr.lookup, { 99999, 12345, 424242, 1 }), b)
report('imerr.lookup, "70001" (canonical)',
  calls(imerr.lookup, { "70001", "9510", "-302" }), b)
report('imerr.lookup, " 70001 " (parsed in C)',
  calls(imerr.lookup, { " 70001 ", "+9510", "-302 " }), b)
report("imerr.lookup, range 120001-130000",
  calls(imerr.lookup, { 120001, 125000, 130000 }), b)

-- rest.check against cjson.decode of the same text.
local small = cjson.encode { ActionStatus = "FAIL", ErrorCode = 70001,
  ErrorInfo = "UserSig expired", RequestId = "Id-1" }
local items = {}
for i = 1, 15000 do
  items[i] = { To_Account = ("user_%06d"):format(i), ErrorCode = 70107,
    ErrorInfo = "The requested UserID does not exist." }
end
local big = cjson.encode { ActionStatus = "OK", ErrorCode = 0,
  ErrorInfo = "", ErrorList = items }
local function texts(f, text, n, api)
  if api == nil then
    return function()
      for _ = 1, n do f(text) end
    end
  end
  return function()
    for _ = 1, n do f(text, api) end
  end
end
local ds = texts(cjson.decode, small, 20000)
report("cjson.decode, small envelope", ds, ds, 20000)
report("rest.check, small envelope", texts(rest.check, small, 20000), ds,
  20000)
report("rest.check, small envelope, api given",
  texts(rest.check, small, 20000, "v4/openim/sendmsg"), ds, 20000)
local db = texts(cjson.decode, big, 2)
local mb = ("%.1f MB batch"):format(#big / 1e6)
report("cjson.decode, " .. mb, db, db, 2)
report("rest.check, " .. mb, texts(rest.check, big, 2), db, 2)
report("rest.check, " .. mb .. ", api given",
  texts(rest.check, big, 2, "v4/openim/batchsendmsg"), db, 2)
-- The same items as sns answers give them: ResultItem[] plus Fail_Account[].
local sns_items, fail_ids = {}, {}
for i = 1, 15000 do
  sns_items[i] = { To_Account = ("user_%06d"):format(i), ResultCode = 30006,
    ResultInfo = "Err_SNS_FriendAdd_Unpack_Profile_Data_Fail" }
  fail_ids[i] = sns_items[i].To_Account
end
local sns = cjson.encode { ActionStatus = "OK", ErrorCode = 0,
  ErrorInfo = "", ResultItem = sns_items, Fail_Account = fail_ids }
local dsns = texts(cjson.decode, sns, 2)
local msns = ("%.1f MB"):format(#sns / 1e6)
report("cjson.decode, " .. msns .. " sns batch", dsns, dsns, 2)
report("rest.check, " .. msns .. " sns batch, api given",
  texts(rest.check, sns, 2, "v4/sns/friend_add"), dsns, 2)

local version = rawget(_G, "jit") and jit.version or _VERSION
-- Time per call in a readable unit (the batches take milliseconds).
local function per_call(ns)
  if ns >= 1e6 then return ("%.2f ms"):format(ns / 1e6) end
  if ns >= 1e4 then return ("%.2f us"):format(ns / 1e3) end
  return ("%.1f ns"):format(ns)
end
print(("%-40s %12s %8s"):format(version, "per call", "ratio"))
for _, r in ipairs(results) do
  print(("%-40s %12s %8s"):format(r[1], per_call(r[2]),
    r[3] and ("%.2fx"):format(r[3]) or ""))
end
