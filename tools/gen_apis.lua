-- Generates src/imerr_apis.inc, the REST API catalogue as static const C
-- data (tools/imerr_cdata.lua), from data/rest_apis.tsv, data/rates.tsv,
-- data/dedupe.tsv and data/endpoints.tsv; imerr.core makes Lua tables of
-- it.
-- usage: lua tools/gen_apis.lua DATA_DIR OUTPUT.inc
local here = arg[0]:match("^(.*)[/\\]") or "."
package.path = here .. "/?.lua;" .. package.path
local data = require "imerr_data"
local cdata = require "imerr_cdata"

local _M = {}

local YES_NO = { yes = true, no = false }
local ANSWERS = { items_decide = true, no_status = true, drop = true,
  some_error = true }

-- "ContactItem.To_Account|ContactItem.ToGroupId" -> {{..}, {..}}
local function id_paths(text)
  local out = {}
  for alt in (text .. "|"):gmatch("([^|]*)|") do
    local keys = {}
    for key in (alt .. "."):gmatch("([^.]*)%.") do
      if not key:match("^[%a_][%w_]*$") then return nil end
      keys[#keys + 1] = key
    end
    out[#out + 1] = keys
  end
  return out
end

-- One per-item result list of the items column:
--   A.B[].C[].Code@Id.Path|Other.Path [fail=0,4]  (a list of items)
--   Name[]                                         (a bare list of ids)
-- Returns {name, path, arrays, code, id, fail, bare} or nil.
local function parse_list(text)
  local spec, fail = text:match("^(%S+) fail=([%d,]+)$")
  spec = spec or text
  local walk, code, id = spec:match("^(.-%[%])%.([%a_][%w_]*)@(%S+)$")
  local item = { name = nil, path = {}, arrays = {} }
  if walk then
    item.code, item.id = code, id_paths(id)
    if not item.id then return nil end
  else
    walk = spec:match("^([%a_][%w_]*%[%])$")
    if not walk or fail then return nil end
    item.bare = true
  end
  item.name, item.text = walk, text
  for step in (walk .. "."):gmatch("([^.]*)%.") do
    local key, array = step:match("^([%a_][%w_]*)(%[?%]?)$")
    if not key or (array ~= "" and array ~= "[]") then return nil end
    item.path[#item.path + 1] = key
    item.arrays[#item.arrays + 1] = array == "[]"
  end
  if not item.arrays[#item.arrays] then return nil end
  if fail then
    item.fail = {}
    for v in fail:gmatch("%d+") do item.fail[tonumber(v)] = true end
  end
  return item
end
_M.parse_list = parse_list

-- Codes column: "10002 10059*" -> {10002, 10059}, {[10059] = true}.
local function parse_codes(text, known)
  local codes, private = {}, {}
  for word in text:gmatch("%S+") do
    local digits, mark = word:match("^(%-?%d+)(%*?)$")
    if not digits then return nil, "bad code " .. word end
    local code = tonumber(digits)
    if mark == "*" then
      private[code] = true
    elseif known and not known(code) then
      return nil, "code " .. code .. " is not in data/codes.tsv: mark it " ..
        code .. "* (the API's own code)"
    end
    codes[#codes + 1] = code
  end
  return codes, private
end

-- Reads data/rest_apis.tsv into a list of API rows, or nil and a message.
-- known(code) says whether a code is in the table (nil: no check).
function _M.read_apis(path, known)
  local records, err = data.read_tsv(path)
  if not records then return nil, err end
  local out, seen = {}, {}
  for _, rec in ipairs(records) do
    local where = ("%s:%d: "):format(path, rec._line)
    local api = {
      path = rec.api, area = rec.area, writes = YES_NO[rec.writes],
      idempotent = YES_NO[rec.idempotent], rate = tonumber(rec.rate),
      limit = rec.limit ~= "" and rec.limit or nil,
      answer = rec.answer ~= "" and rec.answer or nil,
      why = rec.why, doc = rec.doc, items = {},
    }
    if not (rec.api or ""):match("^v4/[%w_]+/[%w_]+$") then
      return nil, where .. "api must look like v4/service/command"
    end
    if seen[api.path] then return nil, where .. "duplicate api" end
    seen[api.path] = true
    if api.writes == nil or api.idempotent == nil then
      return nil, where .. "writes and idempotent must be yes or no"
    end
    if not api.writes and not api.idempotent then
      return nil, where .. "an API that only reads is idempotent"
    end
    if rec.rate ~= "" and not (api.rate and api.rate > 0) then
      return nil, where .. "rate must be calls per second"
    end
    if api.answer and not ANSWERS[api.answer] then
      return nil, where .. "unknown answer kind " .. api.answer
    end
    if api.why == "" then return nil, where .. "why is empty" end
    for text in rec.items:gmatch("[^;]+") do
      text = text:match("^%s*(.-)%s*$")
      local item = parse_list(text)
      if not item then return nil, where .. "bad item list " .. text end
      api.items[#api.items + 1] = item
    end
    api.codes, api.private = parse_codes(rec.codes, known)
    if not api.codes then return nil, where .. api.private end
    out[#out + 1] = api
  end
  return out
end

-- The kinds of limit of data/rates.tsv: what one unit counts.
local RATE_KINDS = { calls = true, recipients = true, group = true,
  account = true, message = true }
-- The editions a rate may be stated for.
local EDITIONS = { trial = true, dev = true, pro = true, ultimate = true,
  enterprise = true }
local DATE = "^%d%d%d%d%-%d%d%-%d%d"

-- A page cited by data/: Tencent's own sites only.
local function is_page(text)
  return text:match("^https://cloud%.tencent%.com/") or
    text:match("^https://www%.tencentcloud%.com/") or
    text:match("^https://intl%.cloud%.tencent%.com/")
end

-- Reads data/rates.tsv into the rows of apis (path -> row): each row gets
-- limits, a list of {kind, rate, text, page, updated[, edition]}, and
-- recipient_rate / group_rate where its page gives one. The calls rates
-- must agree with the row's rate: its lowest. Returns true, or nil and a
-- message.
function _M.read_rates(path, apis)
  local records, err = data.read_tsv(path)
  if not records then return nil, err end
  local by_path = {}
  for _, api in ipairs(apis) do by_path[api.path] = api end
  local lowest = {}
  for _, rec in ipairs(records) do
    local where = ("%s:%d: "):format(path, rec._line)
    local api = by_path[rec.api]
    if not api then return nil, where .. "no such api in rest_apis.tsv" end
    local rate = tonumber(rec.rate)
    if not RATE_KINDS[rec.kind] then return nil, where .. "unknown kind" end
    if not (rate and rate > 0) then
      return nil, where .. "rate must be a number a second"
    end
    if rec.edition ~= "" and not EDITIONS[rec.edition] then
      return nil, where .. "unknown edition " .. rec.edition
    end
    if rec.text == "" or not is_page(rec.page) or
      not rec.updated:match(DATE) then
      return nil, where .. "a rate needs its text, page and date"
    end
    local limit = { kind = rec.kind, rate = rate, text = rec.text,
      page = rec.page, updated = rec.updated,
      edition = rec.edition ~= "" and rec.edition or nil }
    api.limits = api.limits or {}
    api.limits[#api.limits + 1] = limit
    if rec.kind == "calls" then
      lowest[api] = math.min(lowest[api] or rate, rate)
    elseif rec.kind == "recipients" or rec.kind == "group" then
      local field = rec.kind == "group" and "group_rate" or "recipient_rate"
      if api[field] or limit.edition then
        return nil, where .. "one " .. rec.kind .. " rate for all editions"
      end
      api[field] = rate
    end
  end
  for api, rate in pairs(lowest) do
    if api.rate ~= rate then
      return nil, ("%s: %s: rate %s in rest_apis.tsv, %s on its page"):format(
        path, api.path, tostring(api.rate), rate)
    end
  end
  return true
end

-- A field of a de-duplication key: "Name" or "List[].Name".
local function dedupe_field(text)
  return text:match("^[%a_][%w_]*$") or
    text:match("^[%a_][%w_]*%[%]%.[%a_][%w_]*$")
end

local function words(text)
  local out = {}
  for w in text:gmatch("%S+") do out[#out + 1] = w end
  return out
end

-- One line of data/dedupe.tsv as the row's dedupe table, or nil and why.
local function dedupe_rule(rec)
  local rule = { fields = words(rec.fields), fill = words(rec.fill),
    content = YES_NO[rec.content], page = rec.page, date = rec.date }
  local in_key = {}
  for _, f in ipairs(rule.fields) do
    if not dedupe_field(f) then return nil, "bad field " .. f end
    if in_key[f] then return nil, "field " .. f .. " given twice" end
    in_key[f] = true
  end
  for _, f in ipairs(rule.fill) do
    if not in_key[f] then return nil, "fill " .. f .. " is not a field" end
  end
  if rule.content == nil then return nil, "content must be yes or no" end
  if #rule.fields == 0 and not rule.content then
    return nil, "a key needs fields or content"
  end
  if rec.window == "forever" then
    rule.window = math.huge
  else
    rule.window = rec.window:match("^[1-9]%d*$") and tonumber(rec.window)
    if not rule.window then
      return nil, "window must be whole seconds or forever"
    end
  end
  if not is_page(rule.page) then
    return nil, "page must be one of Tencent's pages"
  end
  if not rule.date:match(DATE .. "$") then
    return nil, "date must be YYYY-MM-DD"
  end
  return rule
end

--- Attaches the rules of data/dedupe.tsv to the rows of apis (as read by
-- read_apis): row.dedupe = { fields, fill, content, window (seconds, or
-- math.huge for forever), page, date }. Returns apis, or nil and a
-- message; a rule for an API that apis lacks is an error.
function _M.read_dedupe(path, apis)
  local records, err = data.read_tsv(path)
  if not records then return nil, err end
  local by_path = {}
  for _, api in ipairs(apis) do by_path[api.path] = api end
  for _, rec in ipairs(records) do
    local where = ("%s:%d: "):format(path, rec._line)
    local api = by_path[rec.api]
    if not api then
      return nil, where .. tostring(rec.api) .. " is not in rest_apis.tsv"
    end
    if api.dedupe then return nil, where .. "duplicate api" end
    if not api.writes then return nil, where .. "the API only reads" end
    local rule, why = dedupe_rule(rec)
    if not rule then return nil, where .. why end
    api.dedupe = rule
  end
  return apis
end

-- The regions of data/endpoints.tsv.
local STATUS = { current = true, legacy = true }

-- Reads data/endpoints.tsv: the data centers' REST domains, in file
-- order, each {region, host, backup, status, page, updated, backup_page,
-- backup_updated, dropped} (the empty ones nil). Or nil and a message.
function _M.read_endpoints(path)
  local records, err = data.read_tsv(path)
  if not records then return nil, err end
  local out, seen = {}, {}
  for _, rec in ipairs(records) do
    local where = ("%s:%d: "):format(path, rec._line)
    local e = {}
    for k, v in pairs(rec) do
      if k ~= "_line" and v ~= "" then e[k] = v end
    end
    if not (e.region or ""):match("^[a-z][a-z_]*$") or seen[e.region] then
      return nil, where .. "region must be a new lower-case id"
    end
    seen[e.region] = true
    for _, k in ipairs { "host", "backup" } do
      if e[k] and not e[k]:match("^[a-z0-9][a-z0-9.-]*%.[a-z]+$") then
        return nil, where .. k .. " must be a domain name"
      end
    end
    if not e.host or not STATUS[e.status] or not e.page or
      not is_page(e.page) then
      return nil, where .. "an endpoint needs host, status and page"
    end
    if (e.status == "legacy") ~= (e.dropped ~= nil) then
      return nil, where .. "a legacy endpoint, and only one, has dropped"
    end
    if e.backup and not e.backup_page or
      e.status == "current" and e.backup and not e.backup_updated then
      return nil, where .. "a backup needs its page (and date, if current)"
    end
    for _, k in ipairs { "updated", "backup_updated", "dropped" } do
      if e[k] and not e[k]:match(DATE) then
        return nil, where .. k .. " must be a date"
      end
    end
    out[#out + 1] = e
  end
  return out
end

-- Reads the catalogue of a data folder: the APIs (rest_apis.tsv, with
-- rates.tsv and dedupe.tsv merged in) and the endpoints; or nil and a
-- message.
function _M.read_all(dir, known)
  local apis, err = _M.read_apis(dir .. "/rest_apis.tsv", known)
  if not apis then return nil, err end
  local ok
  ok, err = _M.read_rates(dir .. "/rates.tsv", apis)
  if not ok then return nil, err end
  ok, err = _M.read_dedupe(dir .. "/dedupe.tsv", apis)
  if not ok then return nil, err end
  local endpoints
  endpoints, err = _M.read_endpoints(dir .. "/endpoints.tsv")
  if not endpoints then return nil, err end
  return apis, endpoints
end

--- The C text of the catalogue (src/imerr_apis.inc): the rows as
-- tools/imerr_cdata.lua stores data, in path order (strcmp's, for a
-- binary search), and each row's path; and the endpoints, one list
-- (IMERR_APIS_ENDPOINTS).
function _M.render(apis, endpoints)
  local sorted = {}
  for i, api in ipairs(apis) do sorted[i] = api end
  table.sort(sorted, function(a, b) return cdata.before(a.path, b.path) end)
  local pools = cdata.new()
  local rows, paths = {}, {}
  for i, api in ipairs(sorted) do
    rows[i] = ("%du"):format(pools:value(api))
    paths[i] = ("%du"):format(math.floor(pools:value(api.path) / 8))
  end
  local endpoints_value = pools:value(endpoints or {})
  local out = {
    "/* Generated by tools/gen_apis.lua from data/rest_apis.tsv, rates.tsv,",
    "   dedupe.tsv and endpoints.tsv. Do not edit: edit data/ and rebuild. */",
    ("#define IMERR_APIS_COUNT %d"):format(#sorted),
    cdata.render(pools, "imerr_apis"),
    "/* The data centers' domains (data/endpoints.tsv), a list. */",
    ("#define IMERR_APIS_ENDPOINTS %du"):format(endpoints_value),
    "/* Each API's row, in path order, and the index of its path in",
    "   imerr_apis_strings. */",
  }
  for _, a in ipairs {
    { "static const unsigned imerr_apis_rows[IMERR_APIS_COUNT]", rows },
    { "static const unsigned imerr_apis_paths[IMERR_APIS_COUNT]", paths },
  } do
    for _, line in ipairs(cdata.c_array(a[1], a[2], 10)) do
      out[#out + 1] = line
    end
  end
  return table.concat(out, "\n") .. "\n"
end

-- A known(code) over the rows of data/codes.tsv.
function _M.known(rows)
  return function(code)
    for _, r in ipairs(rows) do
      if code >= r.code and code <= r.last then return true end
    end
    return false
  end
end

-- Runs a generator: render(dir, known) -> text, or nil and a message.
function _M.main(name, render)
  data.generate(name, function(rows, _, dir)
    local text, err = render(dir, _M.known(rows))
    if not text then
      io.stderr:write(name, ": ", err, "\n")
      os.exit(1)
    end
    return text
  end)
end

if arg and arg[0] and arg[0]:match("gen_apis%.lua$") then
  _M.main("gen_apis", function(dir, known)
    local apis, endpoints = _M.read_all(dir, known)
    if not apis then return nil, endpoints end
    return _M.render(apis, endpoints)
  end)
end

return _M
