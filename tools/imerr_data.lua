-- Reads data/codes.tsv into a list of rows and checks it.
-- Shared by the generators in tools/ and by the data specs.
local _M = {}

local PARTS = { sdk = true, server = true, sdk_v3 = true }
local CODE_MIN, CODE_MAX = -2147483648, 2147483647

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

-- Messages keep the page's line breaks, written as \n in the file.
local function unescape(text)
  return (text:gsub("\\(.)", { n = "\n", ["\\"] = "\\" }))
end

local function integer(text)
  if text:match("^%-?%d+$") then return tonumber(text) end
end

-- Reads a tab-separated file with a header line into a list of records
-- keyed by the header's names; `where` names the file in errors.
function _M.read_tsv(path)
  local file, err = io.open(path, "rb")
  if not file then return nil, err end
  local header, records, lineno = nil, {}, 0
  for line in file:lines() do
    lineno = lineno + 1
    line = line:gsub("\r$", "")
    if line ~= "" and not line:match("^#") then
      local fields = split(line)
      if not header then
        header = fields
      else
        if #fields ~= #header then
          file:close()
          return nil, ("%s:%d: %d fields, expected %d"):format(path, lineno,
            #fields, #header)
        end
        local record = { _line = lineno }
        for i, key in ipairs(header) do record[key] = fields[i] end
        records[#records + 1] = record
      end
    end
  end
  file:close()
  return records
end

local function check_row(r, where)
  if not r.code then return where .. ": code is not an integer" end
  if r.code < CODE_MIN or r.last > CODE_MAX then
    return where .. ": code outside 32-bit range"
  end
  if r.last < r.code then return where .. ": last is below code" end
  if not PARTS[r.part] then return where .. ": unknown part " .. r.part end
  if not r.section:match("^[a-z][a-z0-9_]*$") then
    return where .. ": section must be a lower-case id"
  end
  if not r.name:match("^[A-Z][A-Z0-9_]*$") then
    return where .. ": name must be an upper-case identifier"
  end
  if r.message == "" then return where .. ": empty message" end
end

-- Returns the rows of codes.tsv in file order, or nil and a message.
function _M.read_codes(path)
  local records, err = _M.read_tsv(path)
  if not records then return nil, err end
  local rows, by_code, by_name = {}, {}, {}
  for _, rec in ipairs(records) do
    local where = ("%s:%d"):format(path, rec._line)
    local code = integer(rec.code or "")
    local row = {
      code = code,
      last = rec.last == "" and code or integer(rec.last),
      part = rec.part,
      section = rec.section,
      name = rec.name,
      official = rec.official == "yes",
      message = unescape(rec.message),
    }
    if rec.official ~= "yes" and rec.official ~= "no" then
      return nil, where .. ": official must be yes or no"
    end
    if not row.last then return nil, where .. ": last is not an integer" end
    err = check_row(row, where)
    if err then return nil, err end
    if by_code[code] then return nil, where .. ": duplicate code " .. code end
    if by_name[row.name] then
      return nil, where .. ": duplicate name " .. row.name
    end
    by_code[code], by_name[row.name] = row, row
    rows[#rows + 1] = row
  end
  return rows
end

-- Returns a copy of rows sorted by code; fails on overlapping ranges.
function _M.sorted(rows)
  local out = {}
  for i, row in ipairs(rows) do out[i] = row end
  table.sort(out, function(a, b) return a.code < b.code end)
  for i = 2, #out do
    if out[i].code <= out[i - 1].last then
      return nil, ("code %d overlaps %d..%d"):format(out[i].code,
        out[i - 1].code, out[i - 1].last)
    end
  end
  return out
end

return _M
