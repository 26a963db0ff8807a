-- The cost of require "imerr" and the memory one Lua state holds for it,
-- step by step: after require "imerr", after require "imerr.retry", after
-- the first name (the texts), after every row made. Memory is what
-- collectgarbage("count") adds to the bare state, after a full collection.
-- One line per process: run.sh runs it in five fresh processes.
local clock = os.clock
local function kb(base)
  collectgarbage("collect")
  collectgarbage("collect")
  return collectgarbage("count") - base
end
local base = kb(0)
local t0 = clock()
local imerr = require "imerr"
local first = (clock() - t0) * 1e3
local m_imerr = kb(base)
t0 = clock()
require "imerr.retry"
local first_retry = (clock() - t0) * 1e3
local m_retry = kb(base)
imerr.name(0)
local m_texts = kb(base)
local rows = 0
for code in imerr.entries() do
  imerr.lookup(code)
  rows = rows + 1
end
local m_rows = kb(base)

-- Again, from scratch each time (the shared object stays loaded).
local n = 200
t0 = clock()
for _ = 1, n do
  for _, name in ipairs { "imerr", "imerr._rows", "imerr._private",
    "imerr.core" } do
    package.loaded[name] = nil
  end
  require "imerr"
end
local again = (clock() - t0) / n * 1e3
local version = rawget(_G, "jit") and jit.version or _VERSION
print(("%-12s %d rows; require: first %.3f ms (+retry %.3f ms), then " ..
  "%.3f ms; KB: imerr %.1f, +retry %.1f, +texts %.1f, +rows %.1f"):format(
  version, rows, first, first_retry, again, m_imerr, m_retry, m_texts,
  m_rows))
