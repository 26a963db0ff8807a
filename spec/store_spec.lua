-- imerr.store: the same operations on every store: memory, a shared dict
-- (a stand-in for ngx.shared.DICT), the Redis scripts run by a stand-in
-- for Redis (spec/fleet/redis_shim.lua) and, when spec/fleet/redis.sh
-- started one, a real Redis through the redis-lua client.
local store = require "imerr.store"
local new_dict = require "fleet.shdict"
local redis_env = require "fleet.redis_env"
local redis_shim = require "fleet.redis_shim"

local unpack = rawget(table, "unpack") or rawget(_G, "unpack")

local now = 1000
local function clock() return now end

-- A fresh key for each use, so that Redis runs do not see each other.
local fresh = redis_env.key

local STORES = {
  memory = function() return assert(store.memory { clock = clock }) end,
  shared = function()
    return assert(store.shared(new_dict(clock), { clock = clock }))
  end,
  -- the scripts, with TIME in the time of the clock
  shim = function() return assert(store.redis(redis_shim(clock).client)) end,
}
if redis_env.available() then
  STORES.redis = function() return assert(store.redis(redis_env.client())) end
end

local LIMIT = { rate = 1, burst = 3, beta = 0.7, scale = 0.4, min_rate = 0.5,
  hold = 1 }

for kind, make in pairs(STORES) do
  describe("store." .. kind, function()
    it("counts with incr and reads with get", function()
      local s, k = make(), fresh("incr")
      assert.is_nil(s:get(k))
      assert.equal(15, s:incr(k, 5, 10))
      assert.equal(12.5, s:incr(k, -2.5, 10))
      assert.equal(12.5, s:get(k))
    end)

    it("applies a bucket's delta only while it stays in [0, capacity]", function()
      local s, k = make(), fresh("bucket")
      assert.same({ 5, true }, { s:bucket(k, -5, 10, 10) })
      assert.same({ 0, true }, { s:bucket(k, -5, 10, 10) })
      assert.same({ 0, false }, { s:bucket(k, -5, 10, 10) })
      assert.same({ 1, true }, { s:bucket(k, 1, 10, 10) })
      assert.same({ 10, true }, { s:bucket(k, 100, 10, 10) })
      assert.equal(10, s:get(k))
      -- A missing bucket starts at init.
      assert.same({ 0, false }, { s:bucket(fresh("bucket"), -1, 10, 0) })
    end)

    it("refuses numbers that are not finite, without raising", function()
      local s, k = make(), fresh("bad")
      for _, v in ipairs { 0 / 0, math.huge, "1", {} } do
        local r, err = s:incr(k, v, 0)
        assert.is_nil(r)
        assert.matches("finite", err)
        r, err = s:bucket(k, v, 10, 0)
        assert.is_nil(r)
        assert.matches("finite", err)
      end
      assert.is_nil(s:get(k))
    end)

    it("admits burst calls at once, then waits for the rate", function()
      local s, k = make(), fresh("admit")
      for _ = 1, 3 do assert.equal(0, s:admit(k, 1, LIMIT)) end
      local wait = s:admit(k, 1, LIMIT)
      assert.truthy(wait > 0 and wait <= 1, tostring(wait))
      assert.equal(1, s:rate(k, LIMIT))
    end)

    it("cuts the rate once per hold, to beta times the rate", function()
      local s, k = make(), fresh("cut")
      local r, cut = s:cut(k, LIMIT)
      assert.is_true(cut)
      assert.near(0.7, r, 1e-3)
      -- On Redis the server's clock runs: the rate grows back meanwhile.
      r, cut = s:cut(k, LIMIT)
      assert.is_false(cut)
      assert.truthy(r > 0.7 - 1e-9 and r < 0.8, tostring(r))
      r = s:rate(k, LIMIT)
      assert.truthy(r > 0.7 - 1e-9 and r < 0.8, tostring(r))
    end)
  end)
end

describe("store.memory, store.shared and the scripts", function()
  it("refill at the rate in the clock's time", function()
    for _, kind in ipairs { "memory", "shared", "shim" } do
      local s, k = STORES[kind](), fresh("refill")
      for _ = 1, 3 do assert.equal(0, s:admit(k, 1, LIMIT)) end
      assert.near(1, s:admit(k, 1, LIMIT), 1e-9)
      now = now + 0.5
      assert.near(0.5, s:admit(k, 1, LIMIT), 1e-9)
      now = now + 0.5
      assert.equal(0, s:admit(k, 1, LIMIT))
      now = now + 10
      for _ = 1, 3 do assert.equal(0, s:admit(k, 1, LIMIT)) end
      assert.truthy(s:admit(k, 1, LIMIT) > 0)
    end
  end)

  it("grow a cut rate back along the cubic curve to the configured rate", function()
    local p = { rate = 200, burst = 20, beta = 0.7, scale = 0.4,
      min_rate = 0.5, hold = 1 }
    for _, kind in ipairs { "memory", "shared", "shim" } do
      local s, k = STORES[kind](), fresh("grow")
      assert.near(140, (s:cut(k, p)), 1e-9)
      local k3 = (200 * 0.3 / 0.4) ^ (1 / 3)
      now = now + 1
      assert.near(0.4 * (1 - k3) ^ 3 + 200, s:rate(k, p), 1e-9)
      now = now + k3
      assert.equal(200, s:rate(k, p))
      -- Past the hold, a new throttle cuts again from where the rate is.
      assert.near(140, (s:cut(k, p)), 1e-9)
    end
  end)

  it("never go below min_rate", function()
    local p = { rate = 10, burst = 1, beta = 0.5, scale = 0.4, min_rate = 2,
      hold = 0 }
    local s, k = STORES.memory(), fresh("floor")
    for _ = 1, 10 do s:cut(k, p) end
    assert.equal(2, s:rate(k, p))
  end)

  it("answer nil and a message when the clock fails", function()
    local broken = function() return 0 / 0 end
    for _, s in ipairs { store.memory { clock = broken },
      store.shared(new_dict(clock), { clock = broken }),
      store.memory { clock = function() error("stopped") end } } do
      local w, err = s:admit("k", 1, LIMIT)
      assert.is_nil(w)
      assert.is_string(err)
      assert.is_nil((s:rate("k", LIMIT)))
      assert.is_nil((s:cut("k", LIMIT)))
    end
  end)
end)

-- The stores whose clock the specs set: the memory and shared-dict
-- stores, the scripts with the stand-in's TIME and with the caller's time
-- (store.redis's clock), and a real Redis with the caller's time.
local CLOCKED = {
  memory = STORES.memory,
  shared = STORES.shared,
  shim = STORES.shim,
  shim_clock = function()
    return assert(store.redis(redis_shim(os.time).client, { clock = clock }))
  end,
}
if redis_env.available() then
  CLOCKED.redis = function()
    return assert(store.redis(redis_env.client(), { clock = clock }))
  end
end

for kind, make in pairs(CLOCKED) do
  describe("a clock that steps back, on store." .. kind, function()
    it("is a pause: the limiter owes at most an empty bucket", function()
      local s, k = make(), fresh("back")
      local p = { rate = 10, burst = 2, beta = 0.7, scale = 0.4,
        min_rate = 0.5, hold = 1 }
      assert.equal(0, s:admit(k, 1, p))
      assert.equal(0, s:admit(k, 1, p))
      assert.near(0.1, s:admit(k, 1, p), 1e-6)
      now = now - 3600
      -- not 3600.1 s: one call's time at the rate
      local wait = s:admit(k, 1, p)
      assert.truthy(wait > 0 and wait <= 0.1 + 1e-6, tostring(wait))
      now = now + wait + 1e-5
      assert.equal(0, s:admit(k, 1, p))
      -- then the rate, as before the step
      local admitted = 0
      for _ = 1, 1000 do
        now = now + 0.001
        if s:admit(k, 1, p) == 0 then admitted = admitted + 1 end
      end
      assert.truthy(admitted >= 9 and admitted <= 11, tostring(admitted))
    end)

    it("moves a cut to now: the rate grows back from it as usual", function()
      local s, k = make(), fresh("backcut")
      local p = { rate = 200, burst = 20, beta = 0.7, scale = 0.4,
        min_rate = 0.5, hold = 1 }
      assert.near(140, (s:cut(k, p)), 1e-9)
      now = now - 600
      -- not min_rate until the clock is back at the cut
      assert.near(140, s:rate(k, p), 1e-6)
      -- within the hold of the moved cut, a throttle does not cut again
      local k3 = (200 * 0.3 / 0.4) ^ (1 / 3)
      now = now + 0.5
      local r, cut = s:cut(k, p)
      assert.is_false(cut)
      assert.near(0.4 * (0.5 - k3) ^ 3 + 200, r, 1e-6)
      now = now + 0.5
      assert.near(0.4 * (1 - k3) ^ 3 + 200, s:rate(k, p), 1e-6)
      now = now + k3
      assert.equal(200, s:rate(k, p))
    end)

    it("of less than half a second (a lagging worker) admits less, never more", function()
      local s, k = make(), fresh("lag")
      local p = { rate = 10, burst = 2, beta = 0.7, scale = 0.4,
        min_rate = 0.5, hold = 1 }
      assert.equal(0, s:admit(k, 2, p))
      now = now - 0.3
      -- the debt stays: 0.3 s more than at the time of the take
      assert.near(0.4, s:admit(k, 1, p), 1e-6)
      now = now + 0.3
      assert.near(0.1, s:admit(k, 1, p), 1e-6)
      -- a throttle that a lagging worker hears right after another's cut
      -- answers calls sent before it: no second cut
      assert.near(7, (s:cut(k, p)), 1e-6)
      now = now - 0.2
      local r, cut = s:cut(k, p)
      assert.is_false(cut)
      assert.truthy(r <= 7 + 1e-6, tostring(r))
    end)
  end)
end

describe("store.shared", function()
  it("refuses what is not a dict", function()
    for _, d in ipairs { nil, {}, 5, setmetatable({}, { __index = error }) } do
      local s, err = store.shared(d)
      assert.is_nil(s)
      assert.is_string(err)
    end
  end)

  it("answers 'ask again in 1 ms' while another worker holds the lock", function()
    local dict = new_dict(clock)
    local s = store.shared(dict, { clock = clock })
    dict:add("k:lock", true, 0.01)
    assert.equal(0.001, s:admit("k", 1, LIMIT))
    -- The lock expires: a worker that died holding it blocks no one.
    now = now + 0.02
    assert.equal(0, s:admit("k", 1, LIMIT))
    assert.is_nil(dict:get("k:lock"))
  end)

  it("releases the lock when the dict raises", function()
    local dict = new_dict(clock)
    local s = store.shared(dict, { clock = clock })
    local set = dict.set
    dict.set = function(self, key, ...)
      if key:find(":t$") then error("no memory") end
      return set(self, key, ...)
    end
    local w, err = s:admit("k", 1, LIMIT)
    assert.is_nil(w)
    assert.matches("no memory", err)
    assert.is_nil(dict:get("k:lock"))
  end)

  it("keeps a limiter's keys only while they matter", function()
    local dict = new_dict(clock)
    local s = store.shared(dict, { clock = clock })
    s:admit("k", 1, LIMIT)
    now = now + 2.5
    assert.is_nil(dict:get("k:t"))
  end)
end)

describe("store.redis", function()
  it("refuses what is not a client", function()
    for _, c in ipairs { nil, {}, 5, { eval = 1 } } do
      local s, err = store.redis(c)
      assert.is_nil(s)
      assert.is_string(err)
    end
    assert.is_nil((store.redis({ eval = function() end }, { release = 1 })))
  end)

  it("gives nil and a message when the client raises or fails", function()
    local raising = { eval = function() error("connection refused") end }
    local failing = { eval = function() return nil, "timeout" end }
    for _, c in ipairs { raising, failing,
      function() error("no route") end, function() return nil, "refused" end } do
      local s = assert(store.redis(c))
      local checks = {
        { s:get("k") }, { s:incr("k", 1, 0) }, { s:bucket("k", 1, 2, 0) },
        { s:admit("k", 1, LIMIT) }, { s:rate("k", LIMIT) }, { s:cut("k", LIMIT) },
      }
      for _, r in ipairs(checks) do
        assert.is_nil(r[1])
        assert.is_string(r[2])
      end
    end
  end)

  it("tries EVALSHA, then EVAL on NOSCRIPT, and releases the client", function()
    local calls, released = {}, {}
    local client = {
      evalsha = function(_, sha)
        calls[#calls + 1] = "evalsha " .. sha
        return nil, "NOSCRIPT No matching script. Please use EVAL."
      end,
      eval = function(_, src)
        calls[#calls + 1] = "eval"
        assert.equal(store.scripts.get, src)
        return "42"
      end,
    }
    local s = store.redis(function() return client end, {
      release = function(c, err) released[#released + 1] = { c, err } end })
    assert.equal(42, s:get("k"))
    assert.same({ "evalsha " .. store.script_shas.get, "eval" }, calls)
    assert.same({ { client } }, released)
  end)

  it("asks once for a key that is absent (a nil reply is no NOSCRIPT)", function()
    local calls = 0
    local client = {
      evalsha = function() calls = calls + 1 return nil end,
      eval = function() calls = calls + 1 return nil end,
    }
    local s = store.redis(client)
    assert.same({}, { s:get("k") })
    assert.equal(1, calls)
  end)

  it("refuses replies that are not finite numbers", function()
    for _, reply in ipairs { "nan", "inf", "x", {}, { "nan", 1 } } do
      local s = store.redis({ eval = function() return reply end })
      assert.is_nil((s:incr("k", 1, 0)))
      assert.is_nil((s:admit("k", 1, LIMIT)))
      assert.is_nil((s:cut("k", LIMIT)))
    end
    local null = store.redis({ eval = function() return newproxy and
      newproxy() or io.stdout end })
    assert.same({}, { null:get("k") })
  end)

  it("never uses again a client that failed: its late reply would answer the next call", function()
    -- a client whose first call times out, and whose server sends that
    -- call's reply late, in front of the next one's
    local function late_client(good)
      local c = { calls = 0, closed = 0, late = nil }
      function c.eval(_, _, _, _)
        c.calls = c.calls + 1
        if c.calls == 1 and not good then
          c.late = "0"
          return nil, "timeout"
        end
        return c.late or "7"
      end
      function c.close() c.closed = c.closed + 1 end
      return c
    end
    -- one client: nil and a message for good, saying how to reconnect
    local c = late_client()
    local s = store.redis(c)
    assert.is_nil((s:admit("k", 1, LIMIT)))
    for _ = 1, 2 do
      local v, err = s:get("k")
      assert.is_nil(v)
      assert.matches("timeout", err)
      assert.matches("connect function", err)
    end
    assert.same({ 1, 1 }, { c.calls, c.closed })
    -- nor does another store on the same client
    local v, err = store.redis(c):get("k")
    assert.is_nil(v)
    assert.matches("connect function", err)
    assert.equal(1, c.calls)
    -- a connect function: the next operation connects again
    local made = {}
    s = store.redis(function()
      made[#made + 1] = late_client(#made > 0)
      return made[#made]
    end)
    assert.is_nil((s:admit("k", 1, LIMIT)))
    assert.equal(7, s:get("k"))
    assert.same({ 2, 1, 1, 0 }, { #made, made[1].closed, made[1].calls,
      made[2].closed })
    -- one that hands the failed client back again is refused, and told
    local released = {}
    c = late_client()
    s = store.redis(function() return c end,
      { release = function(_, e) released[#released + 1] = e or "ok" end })
    assert.is_nil((s:admit("k", 1, LIMIT)))
    v, err = s:get("k")
    assert.is_nil(v)
    assert.matches("failed before", err)
    assert.equal(1, c.calls)
    assert.equal(2, #released)
    assert.matches("failed before", released[2])
  end)

  it("drops a client whose reply has the wrong shape (it is out of step)", function()
    local closed = 0
    local replies = { { "1", 1 }, "5" }
    local client = {
      eval = function() return table.remove(replies, 1) end,
      quit = function() closed = closed + 1 end,
    }
    local s = store.redis(client)
    local w, err = s:admit("k", 1, LIMIT)
    assert.is_nil(w)
    assert.matches("unexpected reply", err)
    assert.equal(1, closed)
    assert.is_nil((s:incr("k", 1, 0)))
    assert.equal(1, #replies)
  end)

  it("checks the limiter's numbers before it calls the server", function()
    local calls = 0
    local s = store.redis({ eval = function() calls = calls + 1 return "0" end })
    for _, p in ipairs {
      { rate = 1e-9, burst = 1e9, beta = 0.7, scale = 0.4, min_rate = 1e-9, hold = 1 },
      { rate = 200, burst = 20, beta = 0.7, scale = 1e-40, min_rate = 0.5, hold = 1 },
      { rate = 200, burst = 20, beta = 1, scale = 0.4, min_rate = 0.5, hold = 1 },
      { rate = "200", burst = 20, beta = 0.7, scale = 0.4, min_rate = 0.5, hold = 1 },
      { rate = 0 / 0, burst = 20, beta = 0.7, scale = 0.4, min_rate = 0.5, hold = 1 },
      "limiter",
    } do
      for _, r in ipairs { { s:admit("k", 1, p) }, { s:cut("k", p) } } do
        assert.is_nil(r[1])
        assert.is_string(r[2])
      end
    end
    local p = { rate = 200, burst = 20, beta = 0.7, scale = 0.4,
      min_rate = 0.5, hold = 1 }
    assert.is_nil((s:admit("k", 21, p)))
    p.hold = -1
    assert.is_nil((s:cut("k", p)))
    assert.equal(0, calls)
  end)

  it("refuses unknown options", function()
    local client = { eval = function() end }
    assert.is_nil((store.redis(client, { relase = function() end })))
    assert.is_nil((store.redis(client, { clock = 5 })))
    assert.is_nil((store.memory { clok = os.time }))
    assert.is_nil((store.shared(new_dict(clock), { lock = 1 })))
  end)

  it("knows each script's SHA-1", function()
    local sha1sum = io.popen("command -v sha1sum"):read("*l")
    if not sha1sum then return pending("sha1sum is missing") end
    for name, src in pairs(store.scripts) do
      local path = os.tmpname()
      local f = assert(io.open(path, "wb"))
      f:write(src)
      f:close()
      local p = io.popen("sha1sum " .. path)
      local sum = p:read("*l"):match("^%x+")
      p:close()
      os.remove(path)
      assert.equal(sum, store.script_shas[name], name)
    end
  end)
end)

-- Where the scripts run: the stand-in always, a real Redis when there is
-- one. Each gives eval(src, key, ...) -> reply, or nil and the error, and
-- pttl(key).
local SERVERS = {
  shim = function()
    local server = redis_shim(clock)
    return function(src, key, ...) return server.client:eval(src, 1, key, ...) end,
      function(key) return server:pttl(key) end
  end,
}
if redis_env.available() then
  SERVERS.redis = function()
    local c = redis_env.client()
    return function(src, key, ...)
      local ok, res = pcall(c.eval, c, src, 1, key, ...)
      if ok then return res end
      return nil, res
    end, function(key) return c:pttl(key) end
  end
end

for kind, make in pairs(SERVERS) do
  describe("the scripts on " .. kind, function()
    it("check their arguments before they write: no key is left without expiry", function()
      local eval, pttl = make()
      local k = fresh("nottl")
      local S = store.scripts
      -- rate 1e-9 with a burst of 1e9: 1e18 s, more than PEXPIRE takes
      local res, err = eval(S.admit, k, "1e9", "1e-9", "1e9", "0.7", "0.4",
        "1e-9")
      assert.equal(-2, pttl(k))
      assert.is_nil(res)
      assert.matches("rate", err)
      for _, call in ipairs {
        { S.admit, "1", "200", "20", "0.7", "1e-40", "0.5" },
        { S.admit, "nan", "200", "20", "0.7", "0.4", "0.5" },
        { S.admit, "1", "200", "20", "0.7", "0.4", "0.5", "x" },
        { S.cut, "200", "0.7", "0.4", "0.5", "-1" },
        { S.cut, "200", "1", "0.4", "0.5", "1" },
        { S.rate, "200", "0.7", "0.4", "inf" },
        { S.incr, "x", "0" },
        { S.bucket, "1", "inf", "0" },
      } do
        res, err = eval(call[1], k, unpack(call, 2))
        assert.is_nil(res)
        assert.is_string(err)
        assert.equal(-2, pttl(k))
      end
      -- a key that holds state keeps its expiry through a failing call
      assert.equal("0", eval(S.admit, k, "1", "200", "20", "0.7", "0.4", "0.5"))
      local before = pttl(k)
      assert.truthy(before > 0, tostring(before))
      assert.is_nil((eval(S.admit, k, "1e9", "1e-9", "1e9", "0.7", "0.4",
        "1e-9")))
      local after = pttl(k)
      assert.truthy(after > 0 and after <= before, tostring(after))
    end)

    it("give the longest state the checked numbers allow an expiry", function()
      local eval, pttl = make()
      local k = fresh("longttl")
      -- a burst of 1e9 at 0.001 a second: 1e12 s of debt
      assert.equal("0", eval(store.scripts.admit, k, "1e9", "1e-3", "1e9",
        "0.7", "0.4", "1e-3"))
      local left = pttl(k)
      assert.truthy(left >= 1e15 and left <= 1.01e15, tostring(left))
    end)
  end)
end

local describe_redis = redis_env.available() and describe or pending
describe_redis("store.redis on a real server", function()
  it("runs each script by its SHA-1 once the server knows it", function()
    local client = redis_env.client()
    for name, src in pairs(store.scripts) do
      assert.equal(store.script_shas[name], client:script("load", src), name)
    end
    local evals = 0
    local counting = setmetatable({ eval = function(_, ...)
      evals = evals + 1
      return client:eval(...)
    end }, { __index = function(_, k)
      return function(_, ...) return client[k](client, ...) end
    end })
    local s = store.redis(counting)
    assert.equal(1, s:incr(fresh("sha"), 1, 0))
    assert.equal(0, evals)
  end)

  -- A server that stalls past the client's timeout (0.2 s) applies the
  -- command later and sends its reply: a connection still in use would
  -- read it as the answer of the next command.
  local function stall_during(f)
    redis_env.pause(500)
    local a, b = f()
    require("socket").sleep(0.6)
    return a, b
  end

  local function users(s)
    local ratelimit, budget = require "imerr.ratelimit", require "imerr._budget"
    return assert(ratelimit.new { rate = 0.01, burst = 5, store = s,
      key = fresh("stall-rl") }), assert(budget.new { store = s,
      key = fresh("stall-budget"), capacity = 10, cost = 5 })
  end

  it("reads its own replies after a timeout, through a connect function", function()
    local known = fresh("known")
    redis_env.client():set(known, "42")
    local connect, release = redis_env.reconnecting(0.2)
    local s = assert(store.redis(connect, { release = release }))
    local limiter, budget = users(s)
    assert.equal(5, budget:take())
    local w, err = stall_during(function() return limiter:take() end)
    assert.is_nil(w)
    assert.matches("timeout", err)
    assert.equal(42, s:get(known))
    assert.equal(5, budget:tokens())
    -- the rest of the burst (the stalled take may have been applied
    -- before the connection was closed, or not), then the wait
    local admitted = 0
    w = limiter:take()
    while w == 0 and admitted < 6 do
      admitted = admitted + 1
      w = limiter:take()
    end
    assert.truthy(admitted == 4 or admitted == 5, tostring(admitted))
    assert.truthy(w > 90 and w <= 100, tostring(w))
    assert.equal(0.01, limiter:current_rate())
  end)

  it("closes a single client after a timeout, then answers nil and a message", function()
    local known = fresh("known")
    redis_env.client():set(known, "42")
    local c = redis_env.client(0.2)
    local s = assert(store.redis(c))
    local limiter, budget = users(s)
    assert.equal(5, budget:take())
    assert.is_nil((stall_during(function() return budget:tokens() end)))
    -- never the late reply of another command
    local v, err = s:get(known)
    assert.is_nil(v)
    assert.matches("connect function", err)
    assert.is_nil((budget:tokens()))
    assert.is_nil(budget:take())
    local w
    w, err = limiter:take()
    assert.is_nil(w)
    assert.is_string(err)
    assert.has_error(function() c:get(known) end)
  end)

  it("uses the server's clock for the limiter", function()
    local s, k = STORES.redis(), fresh("clock")
    assert.equal(0, s:admit(k, 1, LIMIT))
    local client = redis_env.client()
    local pttl = client:pttl(k)
    assert.truthy(pttl > 0 and pttl <= 2000, tostring(pttl))
  end)

  it("answers nil and a message after the server closed the connection", function()
    local client = redis_env.client()
    client:quit()
    local s = store.redis(client)
    local w, err = s:admit(fresh("closed"), 1, LIMIT)
    assert.is_nil(w)
    assert.is_string(err)
  end)
end)

-- How long a limiter's state is kept: until it stops mattering (the debt
-- paid, a cut grown back to the rate), and a second more for clocks that
-- lag each other. Sooner, and the rate jumps back to full after an idle
-- spell; a flood of throttles then meets the full rate again.
local CUT = { rate = 200, burst = 20, beta = 0.7, scale = 0.4, min_rate = 0.5,
  hold = 1 }
-- The time a cut from rate m takes to grow back (CUBIC), and the climb
-- from m to the rate.
local function regrowth(m) return (m * 0.3 / 0.4) ^ (1 / 3) end
local function climb(m) return ((200 - m) / 0.4) ^ (1 / 3) end

for kind, make in pairs(SERVERS) do
  describe("the scripts' expiry on " .. kind, function()
    local function f17(x) return ("%.17g"):format(x) end
    local S = store.scripts

    -- PTTL right after a script ran, against the expected life in seconds
    -- (the script rounds it up to a whole ms).
    local function assert_life(pttl, k, life)
      local left, want = pttl(k), life * 1000
      assert.truthy(left <= want + 1 and left > want - 500,
        ("PTTL %s, expected %.3f"):format(tostring(left), want))
    end

    it("keep a cut until the rate has grown back, and a second more", function()
      local eval, pttl = make()
      local k, t = fresh("cutlife"), 1000
      local res = eval(S.cut, k, "200", "0.7", "0.4", "0.5", "1", f17(t))
      assert.near(140, tonumber(res[1]), 1e-9)
      assert_life(pttl, k, regrowth(200) + 1)
      -- A cut 1.5 s later is from the rate then, below 200: its state
      -- lasts its own regrowth and the climb back to 200.
      local m = 0.4 * (1.5 - regrowth(200)) ^ 3 + 200
      res = eval(S.cut, k, "200", "0.7", "0.4", "0.5", "1", f17(t + 1.5))
      assert.near(0.7 * m, tonumber(res[1]), 1e-6)
      assert_life(pttl, k, regrowth(m) + climb(m) + 1)
    end)

    it("keep a debt until it is paid, and a second more", function()
      local eval, pttl = make()
      local k, t = fresh("debtlife"), 1000
      -- 20 calls at 200 a second: 0.1 s of debt
      assert.equal("0", eval(S.admit, k, "20", "200", "20", "0.7", "0.4",
        "0.5", f17(t)))
      assert_life(pttl, k, 0.1 + 1)
    end)
  end)
end

for kind, make in pairs(CLOCKED) do
  describe("a cut on store." .. kind .. " after an idle spell", function()
    it("grows back along the curve, never at once to the full rate", function()
      local s, k = make(), fresh("idle")
      local start = now
      assert.near(140, (s:cut(k, CUT)), 1e-9)
      -- 0.7 s: past a tenth of the state's life; then up to the end of
      -- the regrowth (TIME has microseconds: the rate is near)
      for _, idle in ipairs { 0.7, 2, 5, regrowth(200) - 0.01 } do
        now = start + idle
        assert.near(0.4 * (idle - regrowth(200)) ^ 3 + 200, s:rate(k, CUT),
          1e-4)
        assert.truthy(s:rate(k, CUT) < 200)
      end
      now = start + regrowth(200) + 0.5
      assert.equal(200, s:rate(k, CUT))
    end)
  end)

  describe("a clock that steps back a second, on store." .. kind, function()
    it("moves a cut to now, as a longer step does", function()
      local s, k = make(), fresh("backsecond")
      assert.near(140, (s:cut(k, CUT)), 1e-9)
      now = now - 1
      -- not the rate of a cut 1 s in the future
      assert.near(140, s:rate(k, CUT), 1e-6)
      now = now + 1.5
      assert.near(0.4 * (1.5 - regrowth(200)) ^ 3 + 200, s:rate(k, CUT), 1e-6)
    end)

    it("forgives a debt beyond an empty bucket", function()
      local s, k = make(), fresh("debtsecond")
      local p = { rate = 10, burst = 2, beta = 0.7, scale = 0.4,
        min_rate = 0.5, hold = 1 }
      assert.equal(0, s:admit(k, 2, p))
      now = now - 1
      -- an empty bucket from now: one call's time, not 1.1 s
      assert.near(0.1, s:admit(k, 1, p), 1e-6)
    end)
  end)
end

for kind, make in pairs(STORES) do
  describe("store." .. kind .. " and -inf", function()
    it("refuses it as it refuses +inf", function()
      local s, k = make(), fresh("neginf")
      local r, err = s:incr(k, -math.huge, 0)
      assert.is_nil(r)
      assert.matches("finite", err)
      r, err = s:incr(k, 1, -math.huge)
      assert.is_nil(r)
      assert.matches("finite", err)
      r, err = s:bucket(k, -math.huge, 10, 10)
      assert.is_nil(r)
      assert.matches("finite", err)
      assert.is_nil(s:get(k))
    end)
  end)
end

describe("the scripts on the stand-in and -inf", function()
  it("refuse it in their arguments and in what a key holds", function()
    local server = redis_shim(clock)
    local S, k = store.scripts, fresh("neginf")
    for _, call in ipairs {
      { S.incr, "-inf", "0" }, { S.incr, "1", "-inf" },
      { S.bucket, "-inf", "10", "10" }, { S.bucket, "1", "10", "-inf" },
      { S.admit, "1", "200", "20", "0.7", "0.4", "0.5", "-inf" },
      { S.cut, "200", "0.7", "-inf", "0.5", "1" },
    } do
      local res, err = server.client:eval(call[1], 1, k, unpack(call, 2))
      assert.is_nil(res)
      assert.is_string(err)
    end
    server.data[k] = "-inf"
    local s = assert(store.redis(server.client))
    local v, err = s:get(k)
    assert.is_nil(v)
    assert.matches("no finite number", err)
  end)
end)
