-- Lua benchmarks: ns per call of imerr's hot functions and of two
-- baselines measured in the same run: (a) a raw table index and (b) a
-- plain Lua function indexing a prebuilt table, the floor for any
-- function API. Run by bench/run.sh under lua5.4 and luajit.
local imerr = require "imerr"
local retry = require "imerr.retry"
local rest = require "imerr.rest"
local cjson = require "cjson"

local N = tonumber(arg and arg[1]) or 5000000
local clock = os.clock

-- A mix of known codes, as a service sees them.
local CODES = { 9510, 70001, 60007, 6017, -302, 20004, 10010, 70169, 90024,
  -10001, 30539, 0, 40003, 9520, 10006, 80001 }
local NC = #CODES

local prebuilt = {}
for _, c in ipairs(CODES) do prebuilt[c] = imerr.lookup(c) end
local function baseline_b(c) return prebuilt[c] end

local ROUNDS = 5

-- The best of ROUNDS timings of run(), in ns per iteration.
local function best(run)
  run()
  local min = math.huge
  for _ = 1, ROUNDS do
    local t0 = clock()
    run()
    local ns = (clock() - t0) / N * 1e9
    if ns < min then min = ns end
  end
  return min
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

-- ns per call of f over the code mix (or codes).
local function time_calls(f, codes)
  return best(loop("f(codes[i % n + 1])", f, codes or CODES))
end

local function time_raw_index()
  return best(loop("f[codes[i % n + 1]]", prebuilt, CODES))
end

local results = {}
local function report(name, ns, base)
  results[#results + 1] = { name, ns, base and ns / base }
end

local raw = time_raw_index()
local b = time_calls(baseline_b)
report("(a) raw table index", raw, b)
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
for _, h in ipairs(hot) do report(h[1], time_calls(h[2]), b) end

-- (c) the least a hand-written backoff does: a table of classes, full
-- jitter, a cap; the floor for policy:next.
local CLASS = {}
for code in imerr.entries() do CLASS[code] = retry.classify(code) end
local random, min = math.random, math.min
local function baseline_c(c)
  if CLASS[c] ~= "transient" then return nil end
  return random() * min(20, 0.05 * 2)
end
local c = time_calls(baseline_c)
report("(c) hand-written full-jitter backoff", c, b)
report("policy:next against (c)", time_calls(hot[6][2]), c)

local saved = N
N = math.floor(N / 10)
report("imerr.lookup, unknown codes", time_calls(imerr.lookup,
  { 99999, 12345, 424242, 1 }), b)
report('imerr.lookup, "70001" (canonical)', time_calls(imerr.lookup,
  { "70001", "9510", "-302" }), b)
report('imerr.lookup, " 70001 " (parsed in C)', time_calls(imerr.lookup,
  { " 70001 ", "+9510", "-302 " }), b)
report("imerr.lookup, range 120001-130000", time_calls(imerr.lookup,
  { 120001, 125000, 130000 }), b)
N = saved

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
local function time_text(f, text, n)
  local saved_n = N
  N = n
  local ns = best(function()
    for _ = 1, n do f(text) end
  end)
  N = saved_n
  return ns
end
local ds = time_text(cjson.decode, small, 100000)
report("cjson.decode, small envelope", ds, ds)
report("rest.check, small envelope", time_text(rest.check, small, 100000), ds)
local db = time_text(cjson.decode, big, 5)
report(("cjson.decode, %.1f MB batch"):format(#big / 1e6), db, db)
report(("rest.check, %.1f MB batch"):format(#big / 1e6),
  time_text(rest.check, big, 5), db)

local version = rawget(_G, "jit") and jit.version or _VERSION
print(("%-40s %12s %8s"):format(version, "ns/call", "ratio"))
for _, r in ipairs(results) do
  print(("%-40s %12.1f %8s"):format(r[1], r[2],
    r[3] and ("%.2fx"):format(r[3]) or ""))
end
