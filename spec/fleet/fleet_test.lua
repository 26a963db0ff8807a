-- The fleet: four processes share one limiter of 200 calls/s (burst 20)
-- on a real Redis (spec/fleet/redis.sh starts it). They must admit
-- rate * seconds + burst between them, slow down together after one
-- process hears 60007, and live through a restart of Redis.
local socket = require "socket"

local ROOT = os.getenv("IMERR_ROOT") or "."
local LUA = os.getenv("IMERR_FLEET_LUA") or "luajit"
local RATE, BURST, WORKERS = 200, 20, 4

local run_id = 0

-- Starts the workers; returns a function that waits for them and gives
-- their reports: { admitted = {per second}, errors = n, done = bool }.
local function start_workers(seconds, observe_at)
  run_id = run_id + 1
  local key = ("imerr:fleet:%d:%d"):format(os.time(), run_id)
  local start = socket.gettime() + 0.5
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. dir))
  local cmd = {}
  for i = 1, WORKERS do
    cmd[#cmd + 1] = ("%s %s/spec/fleet/worker.lua %s %.6f %s %s >%s/%d 2>&1 &")
      :format(LUA, ROOT, key, start, seconds,
        i == 1 and observe_at and tostring(observe_at) or "", dir, i)
  end
  local p = assert(io.popen(table.concat(cmd, " ") .. " wait"))
  return start, function()
    p:read("*a")
    p:close()
    local reports = {}
    for i = 1, WORKERS do
      local f = assert(io.open(dir .. "/" .. i))
      local text = f:read("*a")
      f:close()
      local r = { admitted = {}, text = text }
      for n in (text:match("admitted ([%d ]+)") or ""):gmatch("%d+") do
        r.admitted[#r.admitted + 1] = tonumber(n)
      end
      r.errors = tonumber(text:match("errors (%d+)"))
      r.done = text:find("\ndone") ~= nil
      reports[i] = r
    end
    os.execute("rm -rf " .. dir)
    return reports
  end
end

-- The sum over workers of the calls admitted in seconds from..to.
local function admitted(reports, from, to)
  local n = 0
  for _, r in ipairs(reports) do
    for i = from or 1, to or #r.admitted do n = n + (r.admitted[i] or 0) end
  end
  return n
end

local function all_done(reports)
  for i, r in ipairs(reports) do
    assert.is_true(r.done, "worker " .. i .. " did not finish:\n" .. r.text)
  end
end

describe("four processes sharing one limiter on Redis", function()
  it("admit rate * seconds + burst in all, within 90% and 105%", function()
    local _, wait = start_workers(3)
    local reports = wait()
    all_done(reports)
    local total, expected = admitted(reports), RATE * 3 + BURST
    print(("fleet: 4 processes, 3 s at 200/s + 20: admitted %d of %d (%.1f%%)")
      :format(total, expected, 100 * total / expected))
    assert.truthy(total >= 0.9 * expected and total <= 1.05 * expected,
      total .. " admitted")
    for _, r in ipairs(reports) do assert.equal(0, r.errors) end
  end)

  it("admit less in the second after one of them hears 60007", function()
    local _, wait = start_workers(3, 2)
    local reports = wait()
    all_done(reports)
    local before, after = admitted(reports, 2, 2), admitted(reports, 3, 3)
    print(("fleet: observe(60007) at 2 s: %d admitted in the second before, %d after")
      :format(before, after))
    assert.truthy(after <= 0.9 * RATE and after < before,
      ("before %d, after %d"):format(before, after))
  end)

  it("see errors, not a crash, while Redis restarts, then go on", function()
    local restart = os.getenv("IMERR_REDIS_RESTART")
    assert.is_string(restart, "IMERR_REDIS_RESTART names the restart command")
    local start, wait = start_workers(4)
    socket.sleep(start + 1 - socket.gettime())
    local status = os.execute(restart)
    local back = socket.gettime() - start
    assert.is_true(status == true or status == 0, "restart failed")
    local reports = wait()
    all_done(reports)
    local errors = 0
    for _, r in ipairs(reports) do errors = errors + r.errors end
    local total, last = admitted(reports), admitted(reports, 4, 4)
    print(("fleet: Redis stopped at 1 s, back at %.2f s: %d store errors, %d admitted"
      .. " in 4 s (%s a second), %d in the last")
      :format(back, errors, total, table.concat({ admitted(reports, 1, 1),
        admitted(reports, 2, 2), admitted(reports, 3, 3), last }, ", "), last))
    for _, r in ipairs(reports) do
      local e = r.text:match("\nerror ([^\n]*)")
      if e then print("fleet: a worker's first error: " .. e) break end
    end
    assert.truthy(errors > 0, "no worker saw Redis go")
    assert.truthy(last >= 0.9 * RATE, "service did not resume: " .. last)
    -- A restart without persistence loses the bucket: one more burst.
    assert.truthy(total <= 1.05 * (RATE * 4 + 2 * BURST), total .. " admitted")
  end)
end)

describe("a retry budget on Redis", function()
  it("comes back empty, not full, after a restart that lost it", function()
    local store = require "imerr.store"
    local retry = require "imerr.retry"
    local redis_env = require "fleet.redis_env"
    local connect, release = redis_env.reconnecting()
    local s = assert(store.redis(connect, { release = release }))
    local b = assert(retry.budget { store = s, key = redis_env.key("restart"),
      capacity = 10, cost = 5 })
    assert.equal(5, b:take())
    assert.equal(5, b:tokens())
    local status = os.execute(os.getenv("IMERR_REDIS_RESTART"))
    assert.is_true(status == true or status == 0, "restart failed")
    -- The first call finds the old connection closed: no retry, no raise.
    assert.is_nil(b:take())
    assert.equal(0, b:tokens())
    assert.is_nil(b:take())
    b:success(5)
    assert.equal(5, b:tokens())
  end)
end)
