-- The cost of require "imerr" and the memory one Lua state holds for it.
local clock = os.clock
collectgarbage("collect")
local before = collectgarbage("count")
local t0 = clock()
require "imerr"
local first = (clock() - t0) * 1e3
collectgarbage("collect")
local kb = collectgarbage("count") - before

-- Again, from scratch each time (the shared object stays loaded).
local n = 200
t0 = clock()
for _ = 1, n do
  package.loaded["imerr"], package.loaded["imerr.core"] = nil, nil
  require "imerr"
end
local again = (clock() - t0) / n * 1e3
local version = rawget(_G, "jit") and jit.version or _VERSION
print(("%-12s require: first %.3f ms, then %.3f ms; memory %.1f KB"):format(
  version, first, again, kb))
