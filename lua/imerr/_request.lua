--- imerr._request: requests prepared once and sent alike on every attempt
-- (internal; imerr.rest hands out prepare). Tencent discards a message
-- whose de-duplication key it saw within the API's window
-- (data/dedupe.tsv): a resend of the same bytes is then safe, provided the
-- key is in the bytes. Where the caller left out a field of the key that
-- Tencent would fill at random on each attempt (MsgRandom, Random,
-- MsgSeq), prepare fills it once, so that every attempt carries the same.
local json = require "imerr._json"
local decoding = require "imerr._decode"
local random = require "imerr._random"
local catalogue = require "imerr._catalogue"
local api = require "imerr.api"

local type, next, rawget, ipairs, setmetatable, getmetatable = type, next,
  rawget, ipairs, setmetatable, getmetatable
local byte, concat, sort = string.byte, table.concat, table.sort
local u32 = random.u32

local _M = {}

-- The metatable of prepared requests: policy:start{ request = req } takes
-- only those.
local REQUEST = {}
REQUEST.__tostring = function(req)
  return ("imerr request %s (%d bytes)"):format(req.api, #req.body)
end

--- Whether v was made by prepare.
function _M.is_request(v)
  return type(v) == "table" and getmetatable(v) == REQUEST
end

-- "MsgList[].Random" -> "MsgList", "Random"; "MsgRandom" -> nil, "MsgRandom".
local function split(field)
  local list, name = field:match("^([%w_]+)%[%]%.([%w_]+)$")
  if list then return list, name end
  return nil, field
end

local function shallow_copy(t)
  local out = {}
  for k, v in next, t do out[k] = v end
  return setmetatable(out, getmetatable(t))
end

-- The body table with the fill fields it lacks filled: a copy where
-- something was filled (the caller's tables are never changed).
local function fill_table(body, fill)
  local out = body
  for _, field in ipairs(fill) do
    local list, name = split(field)
    if not list then
      if rawget(out, name) == nil then
        if out == body then out = shallow_copy(body) end
        out[name] = u32()
      end
    else
      local items = rawget(out, list)
      if type(items) == "table" then
        local copied
        for i = 1, #items do
          local item = rawget(items, i)
          if type(item) == "table" and rawget(item, name) == nil then
            if not copied then
              copied = shallow_copy(items)
              if out == body then out = shallow_copy(body) end
              out[list] = copied
            end
            local filled = shallow_copy(item)
            filled[name] = u32()
            copied[i] = filled
          end
        end
      end
    end
  end
  return out
end

---------------------------------------------------------------------------
-- JSON text bodies keep their bytes: the missing fields are written into
-- the text, right after the opening brace of their object. The text was
-- decoded first, so the walk below may take it for valid JSON.

local function ws(s, i) return s:match("^[ \t\r\n]*()", i) end

-- The position after the string that opens at i.
local function skip_string(s, i)
  local j = i + 1
  while true do
    local k = s:find('["\\]', j)
    if not k then return nil end
    if byte(s, k) == 34 then return k + 1 end
    j = k + 2
  end
end

-- The position after the value that starts at i.
local function skip_value(s, i)
  local c = byte(s, i)
  if c == 34 then return skip_string(s, i) end
  if c ~= 123 and c ~= 91 then return s:match("^[^,}%] \t\r\n]+()", i) end
  local depth, j = 0, i
  while true do
    local k = s:find('[{}%[%]"]', j)
    if not k then return nil end
    local b = byte(s, k)
    if b == 34 then
      j = skip_string(s, k)
      if not j then return nil end
    else
      depth = depth + ((b == 123 or b == 91) and 1 or -1)
      j = k + 1
      if depth == 0 then return j end
    end
  end
end

-- Calls each(key, value_start) for the members of the object at i (its
-- "{"); true, or nil at text it cannot walk.
local function members(s, i, each)
  local j = ws(s, i + 1)
  if byte(s, j) == 125 then return true end
  while true do
    if byte(s, j) ~= 34 then return nil end
    local after = skip_string(s, j)
    if not after then return nil end
    local key = s:sub(j + 1, after - 2)
    if key:find("\\", 1, true) then
      key = decoding.decode(s:sub(j, after - 1)) or key
    end
    j = ws(s, after)
    if byte(s, j) ~= 58 then return nil end
    local start = ws(s, j + 1)
    local stop = skip_value(s, start)
    if not stop then return nil end
    each(key, start)
    j = ws(s, stop)
    local b = byte(s, j)
    if b == 125 then return true end
    if b ~= 44 then return nil end
    j = ws(s, j + 1)
  end
end

-- Calls each(n, start) for the items of the list at i (its "[").
local function items_of(s, i, each)
  local j, n = ws(s, i + 1), 0
  if byte(s, j) == 93 then return true end
  while true do
    n = n + 1
    local stop = skip_value(s, j)
    if not stop then return nil end
    each(n, j)
    j = ws(s, stop)
    local b = byte(s, j)
    if b == 93 then return true end
    if b ~= 44 then return nil end
    j = ws(s, j + 1)
  end
end

-- "\"F\":N" for the fields of one object, joined.
local function members_text(fields)
  local parts = {}
  for i, f in ipairs(fields) do
    parts[i] = json.string(f) .. ":" .. json.number(u32())
  end
  return concat(parts, ",")
end

-- The text with the fill fields that value (its decoded object) lacks
-- written in, or nil and a message.
local function fill_text(text, value, fill)
  local top, lists = {}, {}
  for _, field in ipairs(fill) do
    local list, name = split(field)
    if not list then
      if rawget(value, name) == nil then top[#top + 1] = name end
    elseif type(rawget(value, list)) == "table" then
      lists[list] = lists[list] or {}
      local names = lists[list]
      names[#names + 1] = name
    end
  end
  local open = ws(text, 1)
  -- Insertions: object position -> the names to write there.
  local at = {}
  if #top > 0 then at[open] = top end
  local seen, twice = {}, nil
  local ok = members(text, open, function(key, start)
    if seen[key] then twice = key end
    seen[key] = true
    local names = lists[key]
    if not names or byte(text, start) ~= 91 then return end
    local items = rawget(value, key)
    items_of(text, start, function(n, pos)
      local item = rawget(items, n)
      if byte(text, pos) ~= 123 or type(item) ~= "table" then return end
      local missing = {}
      for _, name in ipairs(names) do
        if rawget(item, name) == nil then missing[#missing + 1] = name end
      end
      if #missing > 0 then at[pos] = missing end
    end)
  end)
  if not ok then return nil, "body is JSON imerr cannot walk" end
  if twice then
    return nil, "body has the field " .. json.string(twice) .. " twice"
  end
  local positions = {}
  for pos in next, at do positions[#positions + 1] = pos end
  if #positions == 0 then return text end
  sort(positions)
  local out, from = {}, 1
  for _, pos in ipairs(positions) do
    local inner = members_text(at[pos])
    -- An empty object takes the members alone, any other a comma after.
    if byte(text, ws(text, pos + 1)) ~= 125 then inner = inner .. "," end
    out[#out + 1] = text:sub(from, pos)
    out[#out + 1] = inner
    from = pos + 1
  end
  out[#out + 1] = text:sub(from)
  return concat(out)
end

---------------------------------------------------------------------------

local USAGE =
  "prepare(api, body): body must be a table or JSON text of an object"

--- rest.prepare(api, body) -> req, or nil and a message. See imerr.rest.
function _M.prepare(path, body)
  local row, err = catalogue.row(path)
  if not row then return nil, err end
  local rule = row.dedupe
  local fill = rule and rule.fill or {}
  local text
  if type(body) == "table" then
    if getmetatable(body) == REQUEST then
      return nil, "body is a prepared request: send its body as it is"
    end
    if rawget(body, 1) ~= nil then return nil, USAGE end
    text, err = json.encode(fill_table(body, fill), "body")
    if not text then return nil, err end
    if text:sub(1, 1) ~= "{" then return nil, USAGE end
  elseif type(body) == "string" then
    if byte(body, ws(body, 1)) ~= 123 then return nil, USAGE end
    local value
    value, err = decoding.decode(body)
    if value == nil then return nil, (err:gsub("^text", "body")) end
    if type(value) ~= "table" then return nil, USAGE end
    text, err = fill_text(body, value, fill)
    if not text then return nil, err end
  else
    return nil, USAGE
  end
  return setmetatable({ api = row.path, body = text,
    dedupe = rule and api.get(row.path).dedupe or nil }, REQUEST)
end

return _M
