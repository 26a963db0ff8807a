-- Reads data/codes.tsv into a list of rows and checks it.
-- Shared by the generators in tools/ and by the data specs.
local _M = {}

-- The parts of the table, in the order the catalogue shows them.
_M.PARTS = { "sdk", "server", "sdk_v3", "push", "push_sdk", "web_sdk" }
local PARTS = {}
for _, part in ipairs(_M.PARTS) do PARTS[part] = true end
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
  if not r.source:match("^[a-z][a-z0-9%-]*$") then
    return where .. ": source must be a lower-case id"
  end
end

-- Returns the rows of codes.tsv in file order, or nil and a message.
-- A row's change is "" when Tencent has changed nothing since its source.
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
      source = rec.source or "",
      message = unescape(rec.message or ""),
      change = unescape(rec.change or ""),
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

-- Returns sources.tsv as a map id -> {source, title, where} plus the
-- sources in file order, or nil and a message.
function _M.read_sources(path)
  local records, err = _M.read_tsv(path)
  if not records then return nil, err end
  local map, order = {}, {}
  for _, rec in ipairs(records) do
    local where = ("%s:%d"):format(path, rec._line)
    if not (rec.source or ""):match("^[a-z][a-z0-9%-]*$") then
      return nil, where .. ": source must be a lower-case id"
    end
    if map[rec.source] then return nil, where .. ": duplicate source" end
    if (rec.title or "") == "" or (rec.where or "") == "" then
      return nil, where .. ": a source needs a title and a where"
    end
    map[rec.source] = { source = rec.source, title = rec.title,
      where = rec.where }
    order[#order + 1] = map[rec.source]
  end
  return map, order
end

-- Nil when every row names a source of sources and every source has a
-- row; else a message.
function _M.check_sources(rows, sources, order)
  local used = {}
  for _, row in ipairs(rows) do
    if not sources[row.source] then
      return ("code %d: unknown source %s"):format(row.code, row.source)
    end
    used[row.source] = true
  end
  for _, s in ipairs(order) do
    if not used[s.source] then return "source " .. s.source .. " has no row" end
  end
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

-- The classes a reason may have.
local CLASSES = { ok = true, transient = true, fatal = true }

-- Which actions fit which class (class -> set of actions): data/actions.tsv
-- as the last load (or read_actions) read it; nil before.
_M.ACTIONS = nil

-- Returns data/actions.tsv as a map class -> set of actions plus the
-- actions in file order ({action, class, meaning}), or nil and a message.
-- Sets _M.ACTIONS.
function _M.read_actions(path)
  local records, err = _M.read_tsv(path)
  if not records then return nil, err end
  local map, order, seen = { ok = {}, transient = {}, fatal = {} }, {}, {}
  for _, rec in ipairs(records) do
    local where = ("%s:%d"):format(path, rec._line)
    if not (rec.action or ""):match("^[a-z][a-z_]*$") then
      return nil, where .. ": action must be a lower-case id"
    end
    if not CLASSES[rec.class] then
      return nil, where .. ": unknown class " .. tostring(rec.class)
    end
    if (rec.meaning or "") == "" then return nil, where .. ": no meaning" end
    local key = rec.action .. "\0" .. rec.class
    if seen[key] then return nil, where .. ": duplicate action" end
    seen[key] = true
    map[rec.class][rec.action] = true
    order[#order + 1] = { action = rec.action, class = rec.class,
      meaning = rec.meaning }
  end
  _M.ACTIONS = map
  return map, order
end

-- Reasons only imerr itself gives (codes not in the table, bad input,
-- broken REST answers).
local RESERVED = { unknown = true, invalid = true, bad_response = true }

-- Returns reasons.tsv as a map reason -> {class, http_status, severity,
-- meaning, ambiguous} plus the reasons in file order, or nil and a message.
function _M.read_reasons(path)
  local records, err = _M.read_tsv(path)
  if not records then return nil, err end
  local map, order = {}, {}
  for _, rec in ipairs(records) do
    local where = ("%s:%d"):format(path, rec._line)
    local status = integer(rec.http_status or "")
    if not CLASSES[rec.class] then
      return nil, where .. ": unknown class " .. tostring(rec.class)
    end
    if not status or status < 100 or status > 599 then
      return nil, where .. ": http_status must be 100..599"
    end
    if not ({ critical = 1, warning = 1, info = 1 })[rec.severity] then
      return nil, where .. ": severity must be critical, warning or info"
    end
    if rec.ambiguous ~= "yes" and rec.ambiguous ~= "no" then
      return nil, where .. ": ambiguous must be yes or no"
    end
    if map[rec.reason] then return nil, where .. ": duplicate reason" end
    map[rec.reason] = { reason = rec.reason, class = rec.class,
      http_status = status, severity = rec.severity, meaning = rec.meaning,
      ambiguous = rec.ambiguous == "yes" }
    order[#order + 1] = map[rec.reason]
  end
  return map, order
end

-- Returns classes.tsv as a map code -> {reason, action, min_delay, why,
-- class, http_status, severity}, checked against rows and reasons: every
-- code once, no code that rows lack. actions (class -> set, from
-- read_actions) defaults to the last one read.
function _M.read_classes(path, rows, reasons, actions)
  actions = actions or _M.ACTIONS
  if not actions then return nil, path .. ": read actions.tsv first" end
  local records, err = _M.read_tsv(path)
  if not records then return nil, err end
  local known, map = {}, {}
  for _, row in ipairs(rows) do known[row.code] = true end
  for _, rec in ipairs(records) do
    local where = ("%s:%d"):format(path, rec._line)
    local reason = reasons[rec.reason]
    if not reason or RESERVED[rec.reason] then
      return nil, where .. ": unknown reason " .. tostring(rec.reason)
    end
    if not actions[reason.class][rec.action] then
      return nil, ("%s: action %s does not fit class %s"):format(where,
        tostring(rec.action), reason.class)
    end
    local min_delay = rec.min_delay == "" and 0 or tonumber(rec.min_delay)
    if not min_delay or min_delay < 0 or min_delay > 3600 then
      return nil, where .. ": min_delay must be 0..3600 seconds"
    end
    for text in rec.codes:gmatch("%S+") do
      local code = integer(text)
      if not code or not known[code] then
        return nil, where .. ": no such code " .. text
      end
      if map[code] then
        return nil, where .. ": code " .. text .. " is classified twice"
      end
      map[code] = { reason = rec.reason, action = rec.action,
        min_delay = min_delay, why = rec.why, class = reason.class,
        http_status = reason.http_status, severity = reason.severity }
    end
  end
  for _, row in ipairs(rows) do
    if not map[row.code] then
      return nil, path .. ": code " .. row.code .. " is not classified"
    end
  end
  return map
end

-- Reads data/ambiguous.tsv into a map code -> boolean: the codes whose
-- own text settles whether a failure was carried out, against their
-- reason's default; every code must be in codes (code -> row).
function _M.read_ambiguous(path, codes)
  local records, err = _M.read_tsv(path)
  if not records then return nil, err end
  local out = {}
  for _, rec in ipairs(records) do
    local where = ("%s:%d: "):format(path, rec._line)
    local code = integer(rec.code or "")
    if not code or not codes[code] then
      return nil, where .. "code must be a code of data/codes.tsv"
    end
    if rec.ambiguous ~= "yes" and rec.ambiguous ~= "no" then
      return nil, where .. "ambiguous must be yes or no"
    end
    if out[code] ~= nil then return nil, where .. "duplicate code" end
    out[code] = rec.ambiguous == "yes"
  end
  return out
end

-- Reads every file of data/ and returns rows (in code order) with their
-- classification merged in (ambiguous: the reason's default, or
-- ambiguous.tsv), the reasons, the sources and the actions in file order.
function _M.load(dir)
  local rows, err = _M.read_codes(dir .. "/codes.tsv")
  if not rows then return nil, err end
  local sources, source_order = _M.read_sources(dir .. "/sources.tsv")
  if not sources then return nil, source_order end
  err = _M.check_sources(rows, sources, source_order)
  if err then return nil, dir .. "/codes.tsv: " .. err end
  local reasons, order = _M.read_reasons(dir .. "/reasons.tsv")
  if not reasons then return nil, order end
  local actions, action_order = _M.read_actions(dir .. "/actions.tsv")
  if not actions then return nil, action_order end
  local classes
  classes, err = _M.read_classes(dir .. "/classes.tsv", rows, reasons,
    actions)
  if not classes then return nil, err end
  local sorted
  sorted, err = _M.sorted(rows)
  if not sorted then return nil, err end
  local by_code = {}
  for _, row in ipairs(sorted) do
    for k, v in pairs(classes[row.code]) do row[k] = v end
    by_code[row.code] = row
  end
  local ambiguous
  ambiguous, err = _M.read_ambiguous(dir .. "/ambiguous.tsv", by_code)
  if not ambiguous then return nil, err end
  for _, row in ipairs(sorted) do
    row.ambiguous = ambiguous[row.code]
    if row.ambiguous == nil then
      row.ambiguous = reasons[row.reason].ambiguous
    end
  end
  return sorted, order, source_order, action_order
end

-- The command line of a generator: `lua tools/NAME.lua DATA_DIR OUTPUT`.
-- Loads data/, passes rows, reasons, the data folder, the sources and the
-- actions to render, and writes what it returns; exits non-zero with a
-- message on any error.
function _M.generate(name, render)
  local dir, out_path = arg[1], arg[2]
  if not (dir and out_path) then
    io.stderr:write("usage: ", name, ".lua DATA_DIR OUTPUT\n")
    os.exit(2)
  end
  local rows, reasons, sources, actions = _M.load(dir)
  local text = rows and render(rows, reasons, dir, sources, actions)
  local file = text and io.open(out_path, "wb")
  if not (file and file:write(text) and file:close()) then
    io.stderr:write(name, ": ", rows and "cannot write " .. out_path or
      reasons, "\n")
    os.exit(1)
  end
end

return _M
