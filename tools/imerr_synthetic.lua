-- A larger table than data/ holds, for tests of the index: the real rows
-- plus random codes (half anywhere in the 32-bit range, half near the
-- real ones) and two more ranges, each new row a copy of a real row's
-- fields under a new code and name. The same seed gives the same table
-- under every Lua.
local index = require "imerr_index"

local _M = {}

local TWO32 = 4294967296

-- A linear congruential generator (Numerical Recipes' constants).
local function generator(seed)
  local x = seed % TWO32
  return function(n) -- an integer in [0, n)
    x = (index.mul32(x, 1664525) + 1013904223) % TWO32
    return math.floor(x / TWO32 * n)
  end
end

-- True when first..last overlaps no row: single codes are looked up in
-- taken, ranges (a handful) compared one by one.
local function free(taken, ranges, first, last)
  for _, r in ipairs(ranges) do
    if first <= r.last and last >= r.code then return false end
  end
  if first == last then return not taken[first] end
  for code in pairs(taken) do
    if code >= first and code <= last then return false end
  end
  return true
end

local function copy(row, code, last, name)
  local new = {}
  for k, v in pairs(row) do new[k] = v end
  new.code, new.last, new.name = code, last, name
  return new
end

--- rows and n more (two of them ranges), sorted by code.
function _M.grow(rows, n, seed)
  local random = generator(seed or 1)
  local out, taken, ranges = {}, {}, {}
  for i, r in ipairs(rows) do
    out[i] = r
    if r.last ~= r.code then ranges[#ranges + 1] = r
    else taken[r.code] = true end
  end
  local real = #rows
  local added = 0
  local function add(first, last)
    if free(taken, ranges, first, last) then
      added = added + 1
      local row = copy(rows[random(real) + 1], first, last,
        "ERR_SYNTHETIC_" .. added)
      out[#out + 1] = row
      if first == last then taken[first] = true
      else ranges[#ranges + 1] = row end
    end
  end
  while added < 2 do
    local first = random(200000) - 20000
    add(first, first + random(1000) + 1)
  end
  while added < n do
    local code
    if #out % 2 == 0 then
      code = random(TWO32) - TWO32 / 2
    else
      code = random(220000) - 20000
    end
    add(code, code)
  end
  table.sort(out, function(a, b) return a.code < b.code end)
  return out
end

return _M
