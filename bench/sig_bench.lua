-- imerr.sig's cost: ns per call of sig.usersig, sig.verify_usersig and
-- callback.verify against the bare OpenSSL call each makes on the same
-- input (HMAC-SHA256 of the same signed text, SHA-256 of the same token
-- and time, called through the thinnest binding: imerr.sig_core's
-- hmac_sha256 and sha256), and admin:get() on a cached sig against a
-- table read. Run by bench/run.sh under lua5.4 and luajit.
local sig = require "imerr.sig"
local core = require "imerr.sig_core"
local verify = require("imerr._callback_verify").verify

local N = tonumber(arg and arg[1]) or 20000
local ROUNDS = 7
local clock = os.clock

local function median(t)
  table.sort(t)
  return t[math.floor((#t + 1) / 2)]
end

local function once(run, n)
  local t0 = clock()
  run(n)
  return (clock() - t0) / n * 1e9
end

-- Median ns of run and median ratio to base, base timed right before run
-- in each round (a slow spell of the machine hits both).
local function timed(run, base, n)
  run(n)
  base(n)
  local ns, ratios = {}, {}
  for i = 1, ROUNDS do
    local b = once(base, n)
    ns[i] = once(run, n)
    ratios[i] = ns[i] / b
  end
  return median(ns), median(ratios)
end

local KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
local APP, ID, NOW, EXPIRE = 1400000000, "administrator", 1700000000, 15552000
local TEXT = ("TLS.identifier:%s\nTLS.sdkappid:%d\nTLS.time:%d\n" ..
  "TLS.expire:%d\n"):format(ID, APP, NOW, EXPIRE)
local make_opts = { sdkappid = APP, key = KEY, identifier = ID,
  expire = EXPIRE, now = NOW }
local usersig = assert(sig.usersig(make_opts))
local verify_opts = { sdkappid = APP, key = KEY, identifier = ID, now = NOW }
assert(sig.verify_usersig(usersig, verify_opts))

local TOKEN, TIME = "callback-token-2026", "1770000000"
local args = { SdkAppid = "1400000000", RequestTime = TIME,
  Sign = sig.callback_sign(TOKEN, TIME),
  CallbackCommand = "C2C.CallbackBeforeSendMsg" }
local cb_opts = { tokens = { TOKEN, "previous-token" }, sdkappid = APP,
  now = 1770000000 }
assert(verify(args, cb_opts))

local hmac, sha256 = core.hmac_sha256, core.sha256
local sink
local function bare_hmac(n)
  for _ = 1, n do sink = hmac(KEY, TEXT) end
end
local function bare_sha(n)
  local text = TOKEN .. TIME
  for _ = 1, n do sink = sha256(text) end
end

local admin = assert(sig.admin { sdkappid = APP, key = KEY })
local cached = { usersig = admin:get() }
local function table_read(n)
  local t = cached
  for _ = 1, n do sink = t.usersig end
end

local rows = {}
local function report(name, base_name, run, base, n)
  local ns, ratio = timed(run, base, n or N)
  rows[#rows + 1] = { name, base_name, ns, ratio }
end

report("sig.usersig", "bare HMAC-SHA256", function(n)
  for _ = 1, n do sink = sig.usersig(make_opts) end
end, bare_hmac)
report("sig.verify_usersig", "bare HMAC-SHA256", function(n)
  for _ = 1, n do sink = sig.verify_usersig(usersig, verify_opts) end
end, bare_hmac)
report("callback.verify", "bare SHA-256", function(n)
  for _ = 1, n do sink = verify(args, cb_opts) end
end, bare_sha)
report("callback.verify, previous token", "bare SHA-256", function(n)
  local a = { SdkAppid = "1400000000", RequestTime = TIME,
    Sign = sig.callback_sign("previous-token", TIME) }
  for _ = 1, n do sink = verify(a, cb_opts) end
end, bare_sha)
report("callback.verify, forged", "bare SHA-256", function(n)
  local a = { SdkAppid = "1400000000", RequestTime = TIME,
    Sign = ("0"):rep(64) }
  for _ = 1, n do sink = verify(a, cb_opts) end
end, bare_sha)
report("admin:get(), cached", "table read", function(n)
  local a = admin
  for _ = 1, n do sink = a:get() end
end, table_read, N * 100)
-- The clock above is luasocket's gettime (a C call and a system clock
-- read); ngx.now in nginx reads nginx's cached time: like this one.
local t = os.time()
local cheap = assert(sig.admin { sdkappid = APP, key = KEY,
  clock = function() return t end })
report("admin:get(), cached, cheap clock", "table read", function(n)
  local a = cheap
  for _ = 1, n do sink = a:get() end
end, table_read, N * 100)

local function per_call(ns)
  if ns >= 1e4 then return ("%.2f us"):format(ns / 1e3) end
  return ("%.1f ns"):format(ns)
end
local version = rawget(_G, "jit") and jit.version or _VERSION
print(("%-34s %10s  %-18s %10s %8s"):format(version, "per call", "against",
  "its time", "ratio"))
for _, r in ipairs(rows) do
  print(("%-34s %10s  %-18s %10s %7.2fx"):format(r[1], per_call(r[3]), r[2],
    per_call(r[3] / r[4]), r[4]))
end
return sink and nil
