-- imerr.ratelimit: limiters on every store, for_api and its app keys.

do
-- imerr.ratelimit: a limiter on each store, adaptive to throttling answers,
-- and limiters for the REST APIs of the catalogue.
local ratelimit = require "imerr.ratelimit"
local api = require "imerr.api"
local store = require "imerr.store"
local retry = require "imerr.retry"
local new_dict = require "fleet.shdict"
local redis_env = require "fleet.redis_env"
local redis_shim = require "fleet.redis_shim"

local now = 5000
local function clock() return now end

-- Admitted calls from now to now + seconds of the fake clock, each limiter
-- asking every ms until refused.
local function run(limiters, seconds)
  local admitted, start = 0, now
  for i = 0, math.floor(seconds * 1000 + 0.5) do
    now = start + i * 0.001
    for _, l in ipairs(limiters) do
      local n = 0
      while l:take() == 0 do
        n = n + 1
        assert(n < 1e5, "a limiter admits without end")
      end
      admitted = admitted + n
    end
  end
  return admitted
end

local KINDS = {
  memory = function() return store.memory { clock = clock } end,
  shared = function() return store.shared(new_dict(clock), { clock = clock }) end,
  -- the Redis scripts, run by a stand-in, with the caller's time (the
  -- server's TIME has microseconds only)
  shim = function()
    return store.redis(redis_shim(clock).client, { clock = clock })
  end,
}

describe("ratelimit.new", function()
  it("refuses bad options with a message", function()
    for _, opts in ipairs {
      "x", {}, { rate = 0 }, { rate = -1 }, { rate = 0 / 0 }, { rate = 1e6 },
      { rate = "200" }, { rate = 10, burst = 0.5 }, { rate = 10, burst = 1 / 0 },
      { rate = 10, beta = 1 }, { rate = 10, beta = 0 }, { rate = 10, hold = -1 },
      { rate = 10, key = "" }, { rate = 10, store = {} }, { rate = 10, speed = 1 },
      { rate = 10, min_rate = 20 }, { rate = 10, scale = 0 },
      { rate = 1e-9 }, { rate = 10, min_rate = 1e-4 }, { rate = 200, scale = 1e-40 },
    } do
      local l, err = ratelimit.new(opts)
      assert.is_nil(l)
      assert.is_string(err)
    end
  end)

  it("defaults to a memory store, a burst of 1 and AWS's constants", function()
    local l = assert(ratelimit.new { rate = 200 })
    assert.is_true(ratelimit.is_limiter(l))
    assert.is_true(store.is_store(l.store))
    assert.same({ 1, 0.7, 0.4, 1, 0.5 }, { l.burst, l.beta, l.scale, l.hold, l.min_rate })
    assert.equal(0.2, ratelimit.new { rate = 0.2 }.min_rate)
  end)

  it("refuses a scale that would keep a cut rate down for more than an hour", function()
    local l, err = ratelimit.new { rate = 200, scale = 1e-40 }
    assert.is_nil(l)
    assert.matches("grow back", err)
    -- cbrt(200 * 0.3 / s) + cbrt(200 / s) = 3600 at s of about 1.4e-8
    assert.is_nil((ratelimit.new { rate = 200, scale = 1e-8 }))
    assert.truthy(ratelimit.new { rate = 200, scale = 2e-8 })
    assert.truthy(ratelimit.new { rate = 1e5, scale = 1e-5 })
    -- at the lowest scale allowed, a cut grows back within the hour
    local l2 = assert(ratelimit.new { rate = 200, burst = 20, scale = 2e-8,
      store = store.memory { clock = clock }, key = "slow" })
    l2:observe(60007)
    now = now + 3600
    assert.equal(200, l2:current_rate())
  end)
end)

for kind, make in pairs(KINDS) do
  describe("a limiter on store." .. kind, function()
    it("admits rate * seconds + burst", function()
      local s = make()
      local l = assert(ratelimit.new { rate = 200, burst = 20, store = s, key = "a" })
      assert.equal(200 * 3 + 20, run({ l }, 3))
    end)

    it("is one limiter for every object on the same key and store", function()
      local s = make()
      local ls = {}
      for i = 1, 4 do
        ls[i] = assert(ratelimit.new { rate = 200, burst = 20, store = s, key = "a" })
      end
      assert.equal(200 * 3 + 20, run(ls, 3))
      local other = assert(ratelimit.new { rate = 200, burst = 20, store = s, key = "b" })
      assert.equal(20, run({ other }, 0))
    end)

    it("answers the wait and counts nothing when it refuses", function()
      local l = assert(ratelimit.new { rate = 10, burst = 2, store = make() })
      assert.equal(0, l:take())
      assert.equal(0, l:take())
      assert.near(0.1, l:take(), 1e-9)
      assert.near(0.1, l:take(), 1e-9)
      now = now + 0.1
      assert.equal(0, l:take())
    end)

    it("takes n calls at once, up to the burst", function()
      local l = assert(ratelimit.new { rate = 10, burst = 5, store = make() })
      assert.equal(0, l:take(3))
      assert.near(0.1, l:take(3), 1e-9)
      assert.equal(0, l:take(2))
      for _, n in ipairs { 0, -1, 6, 0 / 0, "1", {} } do
        local w, err = l:take(n)
        assert.is_nil(w)
        assert.is_string(err)
      end
    end)

    it("cuts the rate of every limiter on the key after 60007", function()
      local s = make()
      local a = assert(ratelimit.new { rate = 200, burst = 20, store = s, key = "k" })
      local b = assert(ratelimit.new { rate = 200, burst = 20, store = s, key = "k" })
      run({ a, b }, 1)
      local before = run({ a, b }, 1)
      assert.equal(200, before)
      assert.near(140, a:observe(60007), 1e-9)
      assert.near(140, b:current_rate(), 1e-9)
      local after = run({ a, b }, 1)
      assert.truthy(after < 0.85 * before, after)
      -- ... and it grows back to the configured rate.
      run({ a, b }, 10)
      assert.equal(200, b:current_rate())
      assert.equal(200, run({ a, b }, 1))
    end)

    it("hears throttling in codes, hints and rest.check errors", function()
      local l = assert(ratelimit.new { rate = 100, store = make(), hold = 0 })
      local answers = { 60007, "60007", 9506, 10023, retry.hint(60007),
        retry.http_hint(429), { code = 60007, reason = "rate_limited" } }
      local r = 100
      for _, answer in ipairs(answers) do
        local now_rate = l:observe(answer)
        assert.is_number(now_rate)
        assert.truthy(now_rate < r, tostring(answer))
        r = now_rate
      end
    end)

    it("ignores what is not throttling, and stays whole on bad input", function()
      local l = assert(ratelimit.new { rate = 100, store = make() })
      for _, answer in ipairs { 0, 70001, 9510, -302, 99999, "x", {}, true,
        retry.http_hint(503), setmetatable({}, { __index = error }), 0 / 0 } do
        assert.is_false(l:observe(answer))
      end
      assert.equal(100, l:current_rate())
    end)

    it("absorbs throttles within hold of a cut: they answer older calls", function()
      local l = assert(ratelimit.new { rate = 100, store = make(), hold = 1 })
      assert.near(70, l:observe(60007), 1e-9)
      assert.near(70, l:observe(60007), 1e-9)
      now = now + 1.01
      assert.truthy(l:observe(60007) < 70)
    end)
  end)
end

-- A clock that steps back, with the numbers of the report that found it:
-- after a 3600 s step back the limiter answered 3600.1 s; after a cut and
-- a 600 s step back it admitted 24 calls in 10 s, pinned at min_rate.
local function stepping(kind, make)
  describe("a limiter on store." .. kind .. " when the clock steps back", function()
    it("admits at its rate again within a second of a 3600 s step", function()
      local l = assert(ratelimit.new { rate = 200, burst = 20, store = make(),
        key = redis_env.key("step") })
      run({ l }, 1)
      now = now - 3600
      local wait = l:take()
      assert.truthy(wait >= 0 and wait <= 1, tostring(wait))
      local admitted = run({ l }, 1)
      assert.truthy(admitted >= 195 and admitted <= 201, tostring(admitted))
    end)

    it("grows back from a cut as usual after a 600 s step", function()
      local l = assert(ratelimit.new { rate = 200, burst = 20, store = make(),
        key = redis_env.key("stepcut") })
      run({ l }, 1)
      assert.near(140, l:observe(60007), 1e-6)
      now = now - 600
      -- 140/s at the cut, 200/s after 5.3 s: about 1,900 in 10 s
      local admitted = run({ l }, 10)
      assert.truthy(admitted >= 1800 and admitted <= 2000, tostring(admitted))
      assert.equal(200, l:current_rate())
    end)
  end)
end

for kind, make in pairs(KINDS) do stepping(kind, make) end
if redis_env.available() then
  stepping("redis (the caller's clock)", function()
    return store.redis(redis_env.client(), { clock = clock })
  end)
end

describe("a limiter whose store fails", function()
  it("answers nil and a message from take, current_rate and observe", function()
    local s = store.redis(function() return nil, "connection refused" end)
    local l = assert(ratelimit.new { rate = 10, store = s })
    for _, r in ipairs { { l:take() }, { l:current_rate() }, { l:observe(60007) } } do
      assert.is_nil(r[1])
      assert.matches("connection refused", r[2])
    end
  end)

  it("does not raise when the store's operations raise", function()
    local s = store.memory { clock = clock }
    s.admit = function() error("boom") end
    s.rate, s.cut = s.admit, s.admit
    local l = assert(ratelimit.new { rate = 10, store = s })
    assert.is_nil((l:take()))
    assert.is_nil((l:current_rate()))
    assert.is_nil((l:observe(60007)))
  end)
end)

describe("ratelimit.for_api", function()
  it("takes the rate from the catalogue, keyed per app and API", function()
    local s = store.memory { clock = clock }
    local l = assert(ratelimit.for_api("/v4/openim/sendmsg",
      { app = 1400000001, store = s }))
    assert.equal(200, l.rate)
    assert.equal(20, l.burst)
    assert.equal("imerr:rl:1400000001:v4/openim/sendmsg", l.key)
    assert.equal(s, l.store)
    local other = assert(ratelimit.for_api("v4/openim/sendmsg",
      { app = "1400000002", store = s }))
    assert.equal(20, run({ l }, 0))
    assert.equal(20, run({ other }, 0))
  end)

  it("takes rate and burst given", function()
    local l = assert(ratelimit.for_api("v4/group_open_http_svc/get_group_info",
      { app = 1, rate = 40 }))
    assert.same({ 40, 4 }, { l.rate, l.burst })
    l = assert(ratelimit.for_api("v4/openim/sendmsg",
      { app = 1, rate = 10, burst = 3 }))
    assert.same({ 10, 3 }, { l.rate, l.burst })
  end)

  it("reads the catalogue's own row, whatever a caller wrote into a copy", function()
    local row = assert(api.get("v4/openim/sendmsg"))
    row.rate = 1
    assert.equal(200, ratelimit.for_api("v4/openim/sendmsg", { app = 1 }).rate)
  end)

  it("refuses unknown APIs and options, and a missing or bad app", function()
    for _, call in ipairs {
      { "v4/nope", { app = 1 } },
      { "v4/openim/sendmsg", {} },
      { "v4/openim/sendmsg", { app = -1 } },
      { "v4/openim/sendmsg", { app = 1.5 } },
      { "v4/openim/sendmsg", { app = "14x" } },
      { "v4/openim/sendmsg", { app = "1:2" } },
      { "v4/openim/sendmsg", { app = ("1"):rep(21) } },
      { "v4/openim/sendmsg", { app = 1, catalogue = {} } },
      { "v4/openim/sendmsg", { app = 1, rates = 3 } },
      { "", { app = 1 } },
      { 7, { app = 1 } },
      { "v4/openim/sendmsg", "x" },
    } do
      local l, err = ratelimit.for_api(call[1], call[2])
      assert.is_nil(l)
      assert.is_string(err)
    end
    local _, err = ratelimit.for_api("v4/openim/sendmsg", { app = 1, rates = 3 })
    assert.matches('unknown for_api option "rates"', err, 1, true)
  end)
end)

local describe_redis = redis_env.available() and describe or pending
describe_redis("a limiter on store.redis", function()
  local key = redis_env.key

  it("admits the burst at once, then asks to wait", function()
    local l = assert(ratelimit.new { rate = 1, burst = 5, key = key("burst"),
      store = store.redis(redis_env.client()) })
    for _ = 1, 5 do assert.equal(0, l:take()) end
    local w = l:take()
    assert.truthy(w > 0.5 and w <= 1, tostring(w))
  end)

  it("shares the cut between clients on separate connections", function()
    local k = key("cut")
    local a = assert(ratelimit.new { rate = 200, key = k,
      store = store.redis(redis_env.client()) })
    local b = assert(ratelimit.new { rate = 200, key = k,
      store = store.redis(redis_env.client()) })
    assert.equal(200, b:current_rate())
    local r = a:observe(60007)
    assert.truthy(r >= 140 and r < 150, tostring(r))
    local seen = b:current_rate()
    assert.truthy(seen >= 140 and seen < 150, tostring(seen))
  end)
end)

describe("ratelimit.for_api with imerr's REST catalogue", function()
  it("limits sendmsg to the documented 200 calls a second per app", function()
    local row = assert(api.get("v4/openim/sendmsg"))
    local l = assert(ratelimit.for_api("/v4/openim/sendmsg",
      { app = 1400000001, store = store.memory { clock = clock } }))
    assert.equal(row.rate, l.rate)
    assert.equal(200, l.rate)
    assert.equal("imerr:rl:1400000001:v4/openim/sendmsg", l.key)
    assert.equal(20, run({ l }, 0))
  end)

  it("refuses a path the catalogue does not know", function()
    local l, err = ratelimit.for_api("v4/openim/nope", { app = 1 })
    assert.is_nil(l)
    assert.is_string(err)
  end)
end)

local describe_jit = rawget(_G, "jit") and jit.status() and describe or pending
describe_jit("a memory limiter under LuaJIT", function()
  it("compiles take() and observe() without aborts or stitches", function()
    local jutil = require "jit.util"
    local t = 0
    local l = assert(ratelimit.new { rate = 1e5, burst = 1e9, key = "jit",
      store = store.memory { clock = function() t = t + 1e-3 return t end } })
    l:observe(60007)
    local problems, traces = {}, 0
    local has_vmdef, vmdef = pcall(require, "jit.vmdef")
    local function on_trace(what, tr, func, pc, otr)
      local info = func and jutil.funcinfo(func, pc) or {}
      local msg = tostring(has_vmdef and vmdef.traceerr[otr] or otr)
      -- A trace that starts inside a callee and returns below its start
      -- is dropped for the loop's own trace: no loss.
      -- "blacklisted": the code was blacklisted before this loop ran (the
      -- specs before it share LuaJIT's hot counters); an abort of this
      -- loop's own that led there is reported as itself.
      if what == "abort" and (info.source or ""):find("/imerr/", 1, true) and
        not msg:find("lower frame", 1, true) and
        not msg:find("blacklisted", 1, true) then
        problems[#problems + 1] = "abort at " .. tostring(info.loc) .. ": " .. msg
      elseif what == "stop" then
        traces = traces + 1
        local ti = jutil.traceinfo(tr)
        if ti and ti.linktype == "stitch" then
          problems[#problems + 1] = "stitched trace " .. tr
        end
      end
    end
    -- LuaJIT may pass over a loop (its hot counters are shared): a fresh
    -- loop, up to three times, until traces are recorded.
    for _ = 1, 3 do
      -- (no jit.flush: flushing here, under busted, crashed LuaJIT once)
      local loop = assert(load([[
        local l = ...
        for _ = 1, 5000 do l:take() end
        for _ = 1, 5000 do l:observe(0) end
      ]]))
      jit.attach(on_trace, "trace")
      loop(l)
      jit.attach(on_trace)
      if traces >= 2 then break end
    end
    assert.same({}, problems)
    assert.truthy(traces >= 2, "traces: " .. traces)
  end)
end)

describe("a burst of 1", function()
  it("is a limiter of its own: one call, then the rate", function()
    local l = assert(ratelimit.new { rate = 1, burst = 1,
      store = store.memory { clock = clock } })
    assert.equal(1, l.burst)
    assert.equal(0, l:take())
    assert.near(1, l:take(), 1e-9)
  end)

  it("is what for_api gives the catalogue's APIs of under 10 calls a second", function()
    local slow = {}
    for path, row in api.each() do
      if row.rate and row.rate < 10 then slow[#slow + 1] = path end
    end
    assert.truthy(#slow > 0)
    for _, path in ipairs(slow) do
      local l = assert(ratelimit.for_api(path, { app = 1400000001,
        store = store.memory { clock = clock } }))
      assert.equal(1, l.burst, path)
      assert.equal(0, l:take(), path)
      assert.truthy(l:take() > 0, path)
    end
  end)
end)
end

do
-- imerr.ratelimit.for_api keys the app by its canonical SDKAppID: one
-- bucket for 1400000001 however it is written, and no bucket for anything
-- that is not an SDKAppID.
local ratelimit = require "imerr.ratelimit"
local store = require "imerr.store"

local function limiter(app, s)
  return ratelimit.for_api("v4/group_open_http_svc/get_appid_group_list",
    { app = app, store = s or store.memory { clock = function() return 0 end } })
end

describe("ratelimit.for_api's app", function()
  it("is keyed by its canonical number", function()
    for _, app in ipairs { 1400000001, 1400000001.0, "1400000001",
      "01400000001", "0001400000001", ("0"):rep(10) .. "1400000001" } do
      local l = assert(limiter(app))
      assert.equal("imerr:rl:1400000001:v4/group_open_http_svc/" ..
        "get_appid_group_list", l.key, tostring(app))
    end
  end)

  it("shares one bucket between the ways of writing it", function()
    local s = store.memory { clock = function() return 0 end }
    assert.equal(0, assert(limiter("1400000001", s)):take())
    -- 1 call a second, a burst of 1: the others must wait
    for _, app in ipairs { "01400000001", 1400000001, "001400000001" } do
      local wait = assert(limiter(app, s)):take()
      assert.truthy(wait > 0.9, tostring(app))
    end
  end)

  it("takes 1 and 2^32-1, the ends of the range", function()
    assert.equal("imerr:rl:1:v4/group_open_http_svc/get_appid_group_list",
      assert(limiter("0001")).key)
    assert.equal("imerr:rl:4294967295:v4/group_open_http_svc/" ..
      "get_appid_group_list", assert(limiter(4294967295)).key)
    assert.truthy(limiter("4294967295"))
    assert.truthy(limiter("0004294967295"))
  end)

  it("refuses anything else, saying what it needs", function()
    for _, app in ipairs { 0, "0", "000", "", -1, "-1", 1.5, "1.5", "1e9",
      " 1400000001", "1400000001 ", "+1400000001", "0x53724E61",
      "%31400000001", "14000000０1", 4294967296, "4294967296", "9999999999",
      "14000000001", 2 ^ 53, 1 / 0, -1 / 0, 0 / 0, ("1"):rep(21),
      ("0"):rep(11) .. "1400000001", true, {}, function() end } do
      local l, err = limiter(app)
      assert.is_nil(l, tostring(app))
      assert.matches("SDKAppID", err)
      assert.matches("1 .. 4294967295", err, 1, true)
    end
    local l, err = ratelimit.for_api("v4/openim/sendmsg", {})
    assert.is_nil(l)
    assert.matches("SDKAppID", err)
  end)
end)
end
