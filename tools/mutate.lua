--- tools/mutate.lua: mutation testing of imerr's specs (opt-in, see
-- docs/mutation.md). Each single-line mutation of tools/mutants.lua is
-- applied to a scratch copy of the tree (never the working tree):
-- imerr.core is rebuilt when a C file changed, then the busted specs that
-- concern the mutated file run under Lua 5.4, with a per-mutant timeout.
-- A mutant that passes them is run against every spec before it counts
-- as a survivor. The report says, per mutant, killed, survived or
-- equivalent (marked so in the list, with the reason), and the kill rate
-- over the non-equivalent ones.
--
--   lua5.4 tools/mutate.lua [options]      (or scripts/mutate.sh)
--     --build DIR    the build whose Lua 5.4 modules are copied (build)
--     --only ID,...  these mutants only          --file PATH  one file's
--     --timeout S    seconds one spec run may take (120)
--     --quick        no baseline run, no full run to confirm a survivor
--     --min-rate P   exit 1 below P percent killed (90)
--     --list         list the mutants and check that each still applies
--     --keep         keep the scratch tree (its path is printed)
--     --self-test    three mutants: two killed, one equivalent (ctest)
-- With IMERR_REDIS=host:port set, the Redis specs run too (scripts/
-- mutate.sh --redis starts a redis-server on a free loopback port); CC
-- names the C compiler (cc).
--
-- The Redis scripts' SHA-1 digests are pinned in lua/imerr/store.lua, and
-- a spec recomputes them: a mutant of the scripts' text (store.lua, the
-- limiter arithmetic of _limits.lua) gets its digests recomputed in the
-- scratch copy, so that it is judged by what the scripts do, not by the
-- pin.
local MUTANTS = "tools/mutants.lua"

-- Set once the scratch tree exists: removes it (unless --keep).
local cleanup = function() end

local function fail(...)
  cleanup()
  io.stderr:write("mutate: ", table.concat({ ... }), "\n")
  os.exit(2)
end

---------------------------------------------------------------------------
-- Shell helpers.

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- Runs a shell command: whether it exited 0, and its status. An
-- interrupt (^C) stops the whole run.
local function run(cmd)
  local ok, how, code = os.execute(cmd)
  if how == "signal" and (code == 2 or code == 15) then
    fail("interrupted")
  end
  if how == "exit" and code == 130 then fail("interrupted") end
  return ok == true, code
end

local function capture(cmd)
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  local ok = p:close()
  return out, ok
end

local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function spit(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

local function clock()
  local t = capture("date +%s.%N")
  return tonumber(t) or os.time()
end

---------------------------------------------------------------------------
-- Options.

local opts = { build = "build", timeout = 120, min_rate = 90 }
do
  local i = 1
  while i <= #arg do
    local a = arg[i]
    local function value()
      i = i + 1
      return arg[i] or fail(a, " needs a value")
    end
    if a == "--build" then opts.build = value()
    elseif a == "--only" then
      opts.only = {}
      for id in value():gmatch("[^,%s]+") do opts.only[id] = true end
    elseif a == "--file" then opts.file = value()
    elseif a == "--timeout" then
      opts.timeout = tonumber(value()) or fail("--timeout needs seconds")
    elseif a == "--min-rate" then
      opts.min_rate = tonumber(value()) or fail("--min-rate needs a number")
    elseif a == "--quick" then opts.quick = true
    elseif a == "--list" then opts.list = true
    elseif a == "--keep" then opts.keep = true
    elseif a == "--self-test" then opts.self_test = true
    else fail("unknown option ", a, " (see the head of tools/mutate.lua)") end
    i = i + 1
  end
end

local ROOT = capture("git rev-parse --show-toplevel 2>/dev/null"):gsub("%s+$",
  "")
if ROOT == "" then fail("run from a git checkout of imerr") end
if not opts.build:find("^/") then opts.build = ROOT .. "/" .. opts.build end

local list = dofile(ROOT .. "/" .. MUTANTS)
local SPECS, mutants = list.specs, list.mutants

-- The mutants of the self-test: one the C tests kill, one the specs
-- kill, one equivalent.
local SELF_TEST = { ["parse-min"] = "killed", ["json-cut-dots"] = "killed",
  ["alert-size-one"] = "equivalent" }
if opts.self_test then
  opts.only, opts.quick = {}, true
  for id in pairs(SELF_TEST) do opts.only[id] = true end
end

---------------------------------------------------------------------------
-- The mutants: each names a line of a file by a plain fragment that must
-- be found on exactly one line, and replaces `from` (the fragment unless
-- given) on that line with `to`.

local function apply(text, m)
  local found, at = 0, nil
  local lines = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
  if text:sub(-1) == "\n" then lines[#lines] = nil end
  for n, line in ipairs(lines) do
    if line:find(m.line, 1, true) then found, at = found + 1, n end
  end
  if found ~= 1 then
    return nil, ("the fragment is on %d lines, not 1"):format(found)
  end
  local line, from = lines[at], m.from or m.line
  local s, e = line:find(from, 1, true)
  if not s then return nil, "`from` is not on the line" end
  local new = line:sub(1, s - 1) .. m.to .. line:sub(e + 1)
  if new == line then return nil, "the mutation changes nothing" end
  lines[at] = new
  local out = table.concat(lines, "\n")
  if text:sub(-1) == "\n" then out = out .. "\n" end
  return out, at, line, new
end

local selected = {}
do
  local seen = {}
  for _, m in ipairs(mutants) do
    if seen[m.id] then fail("two mutants named ", m.id) end
    seen[m.id] = true
    if not (m.id and m.file and m.line and m.to and m.why) then
      fail("mutant ", tostring(m.id), " needs id, file, line, to and why")
    end
    if (not opts.only or opts.only[m.id]) and
      (not opts.file or opts.file == m.file) then
      selected[#selected + 1] = m
    end
  end
  if opts.only then
    for id in pairs(opts.only) do
      if not seen[id] then fail("no mutant ", id) end
    end
  end
  if #selected == 0 then fail("no mutant of ", tostring(opts.file)) end
end

if opts.list then
  local stale = 0
  for _, m in ipairs(selected) do
    local text = slurp(ROOT .. "/" .. m.file) or ""
    local out, at = apply(text, m)
    if not out then stale = stale + 1 end
    print(("%-28s %s:%s%s"):format(m.id, m.file, out and at or "?",
      m.equivalent and "  (equivalent)" or ""))
    if not out then print("  STALE: " .. at) end
  end
  print(("%d mutants, %d stale"):format(#selected, stale))
  os.exit(stale == 0 and 0 or 1)
end

---------------------------------------------------------------------------
-- The scratch tree: the files git knows (tracked, and new ones not
-- ignored) as they are in the working tree, and the build's Lua 5.4
-- modules in scratch/build/lua/5.4.

local SCRATCH = capture("mktemp -d /tmp/imerr-mutate.XXXXXX"):gsub("%s+$",
  "")
local CPATH_DIR = SCRATCH .. "/build/lua/5.4"
local WORK = SCRATCH .. "/.mutate"

cleanup = function()
  cleanup = function() end
  if opts.keep then
    print("scratch tree kept: " .. SCRATCH)
  else
    os.execute("rm -rf " .. q(SCRATCH))
  end
end

do
  local copied = run(("cd %s && git ls-files -z --cached --others " ..
    "--exclude-standard | tar --null --ignore-failed-read -T - -cf - " ..
    "2>/dev/null | tar -xf - -C %s"):format(q(ROOT), q(SCRATCH)))
  local mods = opts.build .. "/lua/5.4/imerr"
  if not copied or not slurp(mods .. "/core.so") then
    fail("no ", mods, "/core.so: build first (cmake -S . -B build ",
      "-DIMERR_TESTS=ON && cmake --build build), or pass --build")
  end
  run(("mkdir -p %s/imerr %s && cp %s/*.so %s/imerr/ && cp %s/core.so " ..
    "%s/core.so.orig"):format(q(CPATH_DIR), q(WORK), q(mods), q(CPATH_DIR),
    q(mods), q(WORK)))
end

local LUA_CFLAGS = capture("pkg-config --cflags lua5.4 2>/dev/null")
  :gsub("%s+$", "")
if LUA_CFLAGS == "" then LUA_CFLAGS = "-I/usr/include/lua5.4" end

-- Builds imerr.core from the scratch sources, and the C tests of the core
-- (spec/c); nil and the compiler's words when it fails.
local CC = os.getenv("CC") or "cc"
local function build_c()
  local cc = ("cd %s && %s -std=c99 -O1 -w "):format(q(SCRATCH), CC)
  local out, ok = capture(cc .. ("-fPIC -shared -fvisibility=hidden " ..
    "-DIMERR_EMBED %s -Isrc src/imerr_lua.c -o %s/imerr/core.so 2>&1")
    :format(LUA_CFLAGS, q(CPATH_DIR)))
  if not ok then return nil, out end
  for _, t in ipairs { "test_imerr", "test_index" } do
    out, ok = capture(cc .. ("-DIMERR_STATIC -Isrc spec/c/%s.c src/imerr.c " ..
      "-o .mutate/%s 2>&1"):format(t, t))
    if not ok then return nil, out end
  end
  return true
end

-- The C tests, when the mutant is in C: true, or false and their words.
local function run_c_tests()
  for _, t in ipairs { "test_imerr", "test_index" } do
    local out, ok = capture(("cd %s && timeout -k 5 %d .mutate/%s 2>&1")
      :format(q(SCRATCH), opts.timeout, t))
    if not ok then
      return false, t .. ": " .. (out:match("[^\n]+") or "failed")
    end
  end
  return true
end

-- Recomputes the pinned SHA-1 digests of the Redis scripts in the
-- scratch store.lua after a mutation of their text.
local DUMP = [[
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "build/lua/5.4/?.so;" .. package.cpath
local s = require "imerr.store"
for name, src in pairs(s.scripts) do
  local f = assert(io.open(".mutate/" .. name .. ".script", "wb"))
  f:write(src)
  f:close()
  print(name, s.script_shas[name])
end]]

local function fix_shas()
  local out, ok = capture(("cd %s && lua5.4 -e %s 2>/dev/null"):format(
    q(SCRATCH), q(DUMP)))
  if not ok then return end -- the mutant does not load: the specs say so
  local path = SCRATCH .. "/lua/imerr/store.lua"
  local text = slurp(path)
  for name, old in out:gmatch("(%w+)\t(%x+)\n") do
    local sum = capture(("sha1sum %s/%s.script"):format(q(WORK), name))
      :match("^%x+")
    if sum and sum ~= old then
      text = text:gsub(old, sum)
    end
  end
  spit(path, text)
end

local SCRIPT_FILES = { ["lua/imerr/store.lua"] = true,
  ["lua/imerr/_limits.lua"] = true }
-- store.lua as copied, to undo a digest fix after a mutant of _limits.lua.
local STORE_TEXT = slurp(SCRATCH .. "/lua/imerr/store.lua")

---------------------------------------------------------------------------
-- Spec runs.

local function all_specs()
  local out = capture(("cd %s && ls spec/*_spec.lua"):format(q(SCRATCH)))
  local specs = {}
  for name in out:gmatch("[^\n]+") do specs[#specs + 1] = name end
  return specs
end

-- The spec files of a mutant's file (the map of tools/mutants.lua); a
-- name whose file is gone is left out, with a warning, and a file with
-- none left runs every spec: the map only saves time.
local warned = {}
local function specs_for(m)
  local names = m.specs or SPECS[m.file] or {}
  local out = {}
  for _, name in ipairs(names) do
    local path = "spec/" .. name .. "_spec.lua"
    if slurp(SCRATCH .. "/" .. path) then
      out[#out + 1] = path
    elseif not warned[path] then
      warned[path] = true
      print(("warning: %s is gone: update the spec map of %s"):format(path,
        MUTANTS))
    end
  end
  if #out == 0 then return all_specs() end
  return out
end

local REDIS = os.getenv("IMERR_REDIS")

-- Runs busted on specs: true when they pass, else false and the first
-- failure ("timeout" when the run took too long).
local function busted(specs, log)
  local cmd = ("cd %s && IMERR_LUA=lua5.4 timeout -k 5 %d busted " ..
    "--lua=lua5.4 --cpath=%s -o TAP %s >%s 2>&1"):format(q(SCRATCH),
    opts.timeout, q(CPATH_DIR .. "/?.so"), table.concat(specs, " "), q(log))
  local ok, code = run(cmd)
  if ok then return true end
  if code == 124 or code == 137 then return false, "timeout" end
  local out = slurp(log) or ""
  local first = out:match("\nnot ok %d+ %- ([^\n]*)") or
    out:match("^not ok %d+ %- ([^\n]*)") or out:match("[^\n]*[Ee]rror[^\n]*")
    or ("busted exited with " .. tostring(code))
  return false, first
end

---------------------------------------------------------------------------
-- The run.

local function short(s, n)
  s = s:gsub("%s+", " ")
  if #s > n then return s:sub(1, n - 3) .. "..." end
  return s
end

local function main()
  local start = clock()
  print(("imerr mutation run: %d mutants, Lua 5.4%s, scratch %s"):format(
    #selected, REDIS and (", Redis " .. REDIS) or ", no Redis", SCRATCH))

  if not opts.quick then
    local ok, why = busted(all_specs(), WORK .. "/baseline.log")
    if not ok then
      fail("the specs fail with no mutation (", why, "): fix that first")
    end
    print(("baseline: every spec passes (%.1f s)"):format(clock() - start))
  end

  local counts = { killed = 0, survived = 0, equivalent = 0, stale = 0,
    error = 0, wrong_equivalent = 0 }
  local report = {}

  for n, m in ipairs(selected) do
    local t0 = clock()
    local path = SCRATCH .. "/" .. m.file
    local original = slurp(path) or ""
    local mutated, at, before, after = apply(original, m)
    local status, detail
    if not mutated then
      status, detail = "stale", at
    else
      spit(path, mutated)
      local is_c = m.file:find("%.c$") ~= nil
      if SCRIPT_FILES[m.file] then fix_shas() end
      local built, why = true, nil
      if is_c then built, why = build_c() end
      if not built then
        status, detail = "error", "does not build: " .. short(why or "", 120)
      else
        local log = WORK .. "/" .. m.id .. ".log"
        local ok, first = true, nil
        if is_c then ok, first = run_c_tests() end
        if ok then ok, first = busted(specs_for(m), log) end
        if ok and not opts.quick then
          ok, first = busted(all_specs(), log)
          if not ok then first = first .. " (outside the file's specs)" end
        end
        if ok then
          status = m.equivalent and "equivalent" or "survived"
          detail = m.equivalent
        else
          status = m.equivalent and "wrong_equivalent" or "killed"
          detail = first
        end
      end
      -- Back to the tree as it was, imerr.core and the digests included.
      spit(path, original)
      if SCRIPT_FILES[m.file] then
        spit(SCRATCH .. "/lua/imerr/store.lua", STORE_TEXT)
      end
      if is_c then
        run(("cp %s/core.so.orig %s/imerr/core.so"):format(q(WORK),
          q(CPATH_DIR)))
      end
    end
    counts[status] = counts[status] + 1
    local where = m.file .. ":" .. (mutated and at or "?")
    report[#report + 1] = { m = m, status = status, detail = detail }
    print(("[%2d/%d] %-10s %-26s %s (%.1f s)"):format(n, #selected,
      status == "wrong_equivalent" and "KILLED?" or status, m.id, where,
      clock() - t0))
    if before then
      print("         - " .. short(before, 100))
      print("         + " .. short(after, 100))
    end
    if detail and status ~= "equivalent" then
      print("         " .. short(detail, 110))
    end
    io.stdout:flush()
  end

  local live = counts.killed + counts.survived
  local rate = live > 0 and 100 * counts.killed / live or 100
  print()
  print(("killed %d, survived %d, equivalent %d (marked), stale %d, " ..
    "errors %d"):format(counts.killed, counts.survived, counts.equivalent,
    counts.stale, counts.error))
  if counts.wrong_equivalent > 0 then
    print(("%d mutant(s) marked equivalent were killed: fix the list"):format(
      counts.wrong_equivalent))
  end
  print(("kill rate: %d of %d non-equivalent mutants, %.1f%% (%.0f s)"):format(
    counts.killed, live, rate, clock() - start))
  if counts.survived > 0 then
    print("survivors (each a behaviour no spec checks):")
    for _, r in ipairs(report) do
      if r.status == "survived" then
        print(("  %-26s %s: %s"):format(r.m.id, r.m.file, r.m.why))
      end
    end
  end

  if opts.self_test then
    local good = true
    for _, r in ipairs(report) do
      if r.status ~= SELF_TEST[r.m.id] then
        print(("self-test: %s is %s, expected %s"):format(r.m.id, r.status,
          SELF_TEST[r.m.id]))
        good = false
      end
    end
    return good and 0 or 1
  end
  local clean = counts.stale == 0 and counts.error == 0 and
    counts.wrong_equivalent == 0
  return (clean and rate >= opts.min_rate) and 0 or 1
end

-- The scratch tree goes whatever happens (an error, an interrupt while
-- Lua runs).
local ok, status = pcall(main)
cleanup()
if not ok then
  io.stderr:write("mutate: stopped: ", tostring(status), "\n")
  os.exit(2)
end
os.exit(status)
