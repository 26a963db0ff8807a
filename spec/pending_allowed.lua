-- Specs that may be pending, and when: each entry is a Lua pattern over
-- the spec's full name, why, and a function that is true where being
-- pending is expected. Any other pending spec fails the run
-- (spec/pending_guard.lua).
local jit = rawget(_G, "jit")

local function not_jit() return not jit end

-- spec/fleet/redis.sh names its server in IMERR_REDIS.
local function no_redis()
  return (os.getenv("IMERR_REDIS") or ""):match("^[^:]+:%d+$") == nil
end

local function not_lua54() return _VERSION ~= "Lua 5.4" or jit ~= nil end

-- CMake sets IMERR_SIG_BUILT=OFF where it found no OpenSSL or zlib.
local function no_sig() return os.getenv("IMERR_SIG_BUILT") == "OFF" end

local REDIS = "needs a live redis-server: the redis stage runs them with one"

return {
  { name = "^LuaJIT traces$", when = not_jit,
    why = "trace checks: only LuaJIT compiles traces" },
  { name = "^a memory limiter under LuaJIT$", when = not_jit,
    why = "trace checks: only LuaJIT compiles traces" },
  { name = "^retry%.budget on Redis$", when = no_redis, why = REDIS },
  { name = "^a limiter on store%.redis$", when = no_redis, why = REDIS },
  { name = "^store%.redis on a real server$", when = no_redis, why = REDIS },
  { name = "^the pages' Lua blocks %S+:%d+ needs imerr%.sig_core, not " ..
    "built here$", when = no_sig,
    why = "a block that uses imerr.sig runs only where imerr.sig_core " ..
      "was built (OpenSSL and zlib found)" },
  { name = "^tools/gen_table%.lua fails, saying why, when the hash cannot " ..
    "be built$", when = not_lua54,
    why = "runs the generator once, under Lua 5.4: its output is the " ..
      "same under every Lua" },
}
