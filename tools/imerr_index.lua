-- The index behind imerr_find: a perfect hash of the rows' codes, built
-- here at build time, so that a lookup costs the same for any number of
-- rows. Ranges (an app's callback codes) are few and checked after the
-- hash misses.
--
-- A code k (as a 32-bit unsigned number) hashes to
--   h      = k * HASH_MUL                    (mod 2^32)
--   bucket = h >> (32 - bucket_bits)
--   slot   = (h * (SLOT_MUL + 2 * disp[bucket])) >> (32 - slot_bits)
-- and slots[slot] is the row to compare the code with. The displacement
-- of each bucket is searched so that no two codes share a slot (hash and
-- displace); every multiplier is odd, so different displacements spread
-- a bucket's codes differently. Empty slots point at row 0: a code that
-- reaches one is not row 0's code (that one hashes elsewhere), so the
-- compare fails, and the C code needs no test for empty.
--
-- Runs under any Lua from 5.1 on (the build may use any): the arithmetic
-- is exact in doubles as well as in 5.3's integers.
local _M = {}

local floor = math.floor
local TWO32 = 4294967296

-- Fibonacci hashing's multiplier (2^32 / golden ratio, made odd), and a
-- second odd constant for the slots.
_M.HASH_MUL = 2654435769
_M.SLOT_MUL = 2246822519
-- Displacements are unsigned shorts in the C table.
local MAX_DISP = 65535

-- a * b mod 2^32 for 0 <= a, b < 2^32, exact in doubles (no product
-- reaches 2^53).
local function mul32(a, b)
  local a_lo = a % 65536
  local a_hi = (a - a_lo) / 65536
  return (a_lo * b % TWO32 + (a_hi * b % 65536) * 65536) % TWO32
end
_M.mul32 = mul32

-- The top `bits` bits of a 32-bit value.
local function top(x, bits)
  return floor(x / 2 ^ (32 - bits))
end

-- h of a code, as the C code computes it from (uint32_t)code.
local function first_hash(code)
  return mul32(code % TWO32, _M.HASH_MUL)
end

local function slot_of(h, disp, slot_bits)
  return top(mul32(h, (_M.SLOT_MUL + 2 * disp) % TWO32), slot_bits)
end

-- Smallest power of two (as its exponent, at least 1) >= n.
local function bits_for(n)
  local bits = 1
  while 2 ^ bits < n do bits = bits + 1 end
  return bits
end

-- Places one bucket's codes: the first displacement under which they
-- land on free, distinct slots, or nil.
local function place(bucket, slots, slot_bits)
  for disp = 0, MAX_DISP do
    local taken, ok = {}, true
    for _, key in ipairs(bucket) do
      local s = slot_of(key.h, disp, slot_bits)
      if slots[s] or taken[s] then ok = false break end
      taken[s] = true
    end
    if ok then
      for _, key in ipairs(bucket) do
        slots[slot_of(key.h, disp, slot_bits)] = key.row
      end
      return disp
    end
  end
end

-- One attempt at a given size, or nil.
local function try(keys, bucket_bits, slot_bits)
  local buckets = {}
  for b = 0, 2 ^ bucket_bits - 1 do buckets[b] = {} end
  for _, key in ipairs(keys) do
    local list = buckets[top(key.h, bucket_bits)]
    list[#list + 1] = key
  end
  -- Fullest buckets first, while most slots are free.
  local order = {}
  for b = 0, 2 ^ bucket_bits - 1 do order[#order + 1] = b end
  table.sort(order, function(x, y)
    local nx, ny = #buckets[x], #buckets[y]
    if nx ~= ny then return nx > ny end
    return x < y
  end)
  local disp, slots = {}, {}
  for _, b in ipairs(order) do
    disp[b] = 0
    if #buckets[b] > 0 then
      disp[b] = place(buckets[b], slots, slot_bits)
      if not disp[b] then return nil end
    end
  end
  return disp, slots
end

--- Builds the index of a list of codes (codes[i] is the code of row i - 1,
-- in C's numbering). Returns {bucket_bits, slot_bits, disp (0-based
-- list), slots (0-based list of row numbers)}, or nil and why the hash
-- cannot be built. opts.max_slot_bits bounds the table (default 16).
function _M.build(codes, opts)
  opts = opts or {}
  local n = #codes
  if n == 0 then return nil, "no rows to index" end
  if n > 65535 then return nil, n .. " rows: more than 65535" end
  local keys, seen = {}, {}
  for i, code in ipairs(codes) do
    if seen[code] then return nil, "code " .. code .. " appears twice" end
    seen[code] = true
    keys[i] = { h = first_hash(code), row = i - 1 }
  end
  -- Start at a load of at most 1/2 and about two codes a bucket; grow the
  -- table until every bucket fits.
  local max_bits = opts.max_slot_bits or 16
  for slot_bits = bits_for(2 * n), max_bits do
    local bucket_bits = math.max(1, slot_bits - 2)
    local disp, slots = try(keys, bucket_bits, slot_bits)
    if disp then
      local index = { bucket_bits = bucket_bits, slot_bits = slot_bits,
        disp = disp, slots = {} }
      for s = 0, 2 ^ slot_bits - 1 do index.slots[s] = slots[s] or 0 end
      return index
    end
  end
  return nil, ("no perfect hash of %d codes within 2^%d slots"):format(n,
    max_bits)
end

--- The row number (0-based) the index gives for code, compared as the C
-- code compares: nil when the slot's row has another code.
function _M.find(index, codes, code)
  local h = first_hash(code)
  local disp = index.disp[top(h, index.bucket_bits)]
  local row = index.slots[slot_of(h, disp, index.slot_bits)]
  if codes[row + 1] == code then return row end
end

-- Lines of numbers, twelve a line.
local function number_lines(out, list, first, last)
  local line = {}
  for i = first, last do
    line[#line + 1] = ("%d"):format(list[i])
    if #line == 12 or i == last then
      out[#out + 1] = "  " .. table.concat(line, ", ") .. ","
      line = {}
    end
  end
end

--- C text of the index for imerr.c: the hash's constants, the bucket
-- displacements, the slots, and the rows that are ranges. rows are in C
-- order, each with code and last. Returns nil and a message when the hash
-- cannot be built.
function _M.render(rows, opts)
  local codes, ranges = {}, {}
  for i, r in ipairs(rows) do
    codes[i] = r.code
    if r.last ~= r.code then ranges[#ranges + 1] = i - 1 end
  end
  local index, err = _M.build(codes, opts)
  if not index then return nil, err end
  local out = {
    "/* Perfect hash of the codes (tools/imerr_index.lua). */",
    ("#define IMERR_HASH_MUL %du"):format(_M.HASH_MUL),
    ("#define IMERR_SLOT_MUL %du"):format(_M.SLOT_MUL),
    ("#define IMERR_BUCKET_SHIFT %d"):format(32 - index.bucket_bits),
    ("#define IMERR_SLOT_SHIFT %d"):format(32 - index.slot_bits),
    ("static const unsigned short imerr_disp[%d] = {"):format(
      2 ^ index.bucket_bits),
  }
  number_lines(out, index.disp, 0, 2 ^ index.bucket_bits - 1)
  out[#out + 1] = "};"
  out[#out + 1] = ("static const unsigned short imerr_slots[%d] = {"):format(
    2 ^ index.slot_bits)
  number_lines(out, index.slots, 0, 2 ^ index.slot_bits - 1)
  out[#out + 1] = "};"
  out[#out + 1] = ""
  out[#out + 1] = "/* Rows that cover more than one code. */"
  out[#out + 1] = ("#define IMERR_RANGE_COUNT %d"):format(#ranges)
  if #ranges > 0 then
    out[#out + 1] = ("static const unsigned short imerr_ranges[%d] = {")
      :format(#ranges)
    number_lines(out, ranges, 1, #ranges)
    out[#out + 1] = "};"
  end
  return table.concat(out, "\n") .. "\n"
end

return _M
