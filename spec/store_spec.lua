-- imerr.store: the same operations on every store: memory, a shared dict
-- (a stand-in for ngx.shared.DICT) and, when spec/fleet/redis.sh started
-- one, a real Redis through the redis-lua client.
local store = require "imerr.store"
local new_dict = require "fleet.shdict"
local redis_env = require "fleet.redis_env"

local now = 1000
local function clock() return now end

-- A fresh key for each use, so that Redis runs do not see each other.
local fresh = redis_env.key

local STORES = {
  memory = function() return assert(store.memory { clock = clock }) end,
  shared = function()
    return assert(store.shared(new_dict(clock), { clock = clock }))
  end,
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

describe("store.memory and store.shared", function()
  it("refill at the rate in the clock's time", function()
    for _, kind in ipairs { "memory", "shared" } do
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
    for _, kind in ipairs { "memory", "shared" } do
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
