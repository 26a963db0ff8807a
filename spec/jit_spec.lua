-- Under LuaJIT, the hot paths on known codes must compile into traces:
-- no trace aborts and no stitching (a C API call) inside imerr.
local describe_jit = rawget(_G, "jit") and jit.status() and describe or
  pending

describe_jit("LuaJIT traces", function()
  local imerr = require "imerr"
  local retry = require "imerr.retry"
  local jutil = require "jit.util"
  local has_vmdef, vmdef = pcall(require, "jit.vmdef")

  local CODES = { 9510, 70001, 60007, 6017, -302, 0, 10010, 20004, 70169,
    "70001", "-302", 125000, 9506, 30539 }
  local MIXED = { 9510, -302, 0, 70001, -10001, 6017, 60007, 90024 }

  -- Each code many times in its own loop, then mixed codes in one loop,
  -- as a service sees them.
  local DRIVER = [[
    local f, codes, mixed = ...
    for _, code in ipairs(codes) do
      for _ = 1, 2000 do f(code) end
    end
    for i = 1, 20000 do f(mixed[i % #mixed + 1]) end
  ]]

  -- Runs f(code) over CODES many times and returns the trace aborts inside
  -- imerr's Lua files and every stitched trace: the loops here call no C
  -- function, so a stitch can only come from imerr.
  local function trace_problems(f, driver, codes, mixed)
    -- A canonical string is parsed (in C) on its first lookup only. Warm
    -- up, then start from no traces at all, so that every trace is seen.
    if not driver then
      for _, code in ipairs(CODES) do f(code) end
    end
    jit.flush()
    local problems, traces = {}, 0
    local function on_trace(what, tr, func, pc, otr, oex)
      local info = func and jutil.funcinfo(func, pc) or {}
      if what == "abort" and (info.source or ""):find("/imerr/", 1, true) then
        local msg = has_vmdef and vmdef.traceerr[otr] or tostring(otr)
        if type(oex) == "number" and msg:find("%d", 1, true) then
          msg = msg:format(oex)
        end
        problems[#problems + 1] = ("abort at %s: %s"):format(info.loc, msg)
      elseif what == "stop" then
        traces = traces + 1
        local ti = jutil.traceinfo(tr)
        if ti and ti.linktype == "stitch" then
          problems[#problems + 1] = "stitched trace " .. tr .. " at " ..
            tostring(info.loc)
        end
      end
    end
    -- Fresh loops each time: LuaJIT blacklists loops that failed to
    -- compile, which would hide what a later test should see.
    local run = assert(load(driver or DRIVER))
    jit.attach(on_trace, "trace")
    run(f, codes or CODES, mixed or MIXED)
    jit.attach(on_trace)
    return problems, traces
  end

  -- LuaJIT's heuristics (hot counters shared by hashed bytecode addresses,
  -- a trace that starts at a function and then meets the driver's loop)
  -- can abort a trace once in a while for reasons of the test's own loops.
  -- What imerr's code cannot compile fails every time: three tries, each
  -- from no traces at all, each with what measure() makes afresh.
  local function clean(measure)
    local problems, traces
    for _ = 1, 3 do
      problems, traces = measure()
      if #problems == 0 then break end
    end
    return problems, traces
  end

  local policy = retry.policy { max_attempts = 5, jitter = "full" }
  local hot = {
    lookup = function(c) return imerr.lookup(c) end,
    name = function(c) return imerr.name(c) end,
    message = function(c) return imerr.message(c) end,
    classify = function(c) return retry.classify(c) end,
    hint = function(c) return retry.hint(c) end,
    ["policy:next"] = function(c) return policy:next(c, 2, 0.1) end,
  }
  for name, f in pairs(hot) do
    it(name .. " compiles without aborts or stitches", function()
      local problems, traces = clean(function() return trace_problems(f) end)
      assert.same({}, problems)
      assert.truthy(traces > 0, "no trace was recorded at all")
    end)
  end

  it("policy:next on imerr's hints and on error tables compiles", function()
    local hints = { retry.http_hint(503), retry.hint(9510), retry.UNKNOWN,
      { class = "transient", action = "retry", min_delay = 0, code = 1 } }
    local problems, traces = clean(function()
      return trace_problems(function(h) return policy:next(h, 2, 0.1) end,
        "local f, hints = ... for i = 1, 20000 do f(hints[i % #hints + 1]) end",
        hints)
    end)
    assert.same({}, problems)
    assert.truthy(traces > 0)
  end)

  it("makes rows inside traces on first lookups", function()
    -- A fresh imerr each time, in which no row has been looked up yet.
    local codes = require("imerr.core").column("code")
    local fresh
    local problems, traces = clean(function()
      local saved = {}
      for k, v in pairs(package.loaded) do
        if k:find("^imerr") and k ~= "imerr.core" then saved[k] = v end
      end
      for k in pairs(saved) do package.loaded[k] = nil end
      fresh = require "imerr"
      for k in pairs(saved) do package.loaded[k] = saved[k] end
      -- The first text read in a state loads the columns from the core
      -- (once): a name, which makes no row.
      assert(fresh.name(codes[1]))
      -- The loop calls lookup itself: every function on the path is new.
      return trace_problems(fresh.lookup,
        "local f, codes = ... for i = 1, #codes do f(codes[i]) end", codes)
    end)
    assert.equal(codes[#codes], fresh.lookup(codes[#codes]).code)
    assert.equal(fresh.lookup(codes[1]), fresh.lookup(codes[1] .. ""))
    -- A first lookup makes its row once per code: LuaJIT may give up
    -- unrolling that path ("loop unroll limit reached", now and then
    -- under load) and record again; every other abort is a problem.
    local kept = {}
    for _, p in ipairs(problems) do
      if not p:find("loop unroll limit reached", 1, true) then
        kept[#kept + 1] = p
      end
    end
    problems = kept
    assert.same({}, problems)
    assert.truthy(traces > 0)
  end)

  it("notices the C call of the slow path (the check can fail)", function()
    -- " 70001 " is not in canonical form: imerr asks imerr.core to parse it.
    local problems, traces = clean(function()
      return trace_problems(function() return imerr.lookup(" 70001 ") end)
    end)
    assert.truthy(#problems > 0, "a C function call went unnoticed; traces: "
      .. traces)
  end)
end)
