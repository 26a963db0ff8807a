--- imerr.rest: reads Tencent IM REST API answers.
-- An answer is a JSON object with ActionStatus ("OK" or "FAIL"; "SomeError"
-- for a partial batchsendmsg), ErrorCode, ErrorInfo, usually RequestId,
-- and for batch APIs per-item results in one of many shapes, which the
-- API catalogue (imerr.api, data/rest_apis.tsv) names per API.
-- @module imerr.rest
local rows = require "imerr._rows"
local hints = require "imerr.hint"
local api = require "imerr.api"
-- imerr._json, loaded by the first answer with a text to clean.
local json
local quote = require("imerr._private").quote
local api_row = require("imerr._private").api_row

local type, pcall, tostring, getmetatable = type, pcall, tostring,
  getmetatable
local rawget, next = rawget, next
-- JSON decoders give floats: 70107.0 reads better as 70107.
local tointeger = math.tointeger or function(v) return v end

local _M = { _VERSION = rows.VERSION }

--- Deeper JSON is no IM answer; cjson refuses it before building it.
_M.MAX_DEPTH = 64
--- ErrorInfo and other texts of the answer are cut to this many bytes (on
-- a UTF-8 character boundary, with "...") and made valid UTF-8: an answer
-- cannot grow them, or the log lines and answers that carry them, without
-- bound.
_M.MAX_INFO = 512
-- Items read at most: bounds the work a junk answer can cause.
local MAX_ITEMS = 100000

-- The first JSON decoder available: a private cjson instance (so its
-- settings never touch other users of cjson), else dkjson.
local function find_decoder()
  local ok, cjson = pcall(require, "cjson.safe")
  if ok and type(cjson) == "table" and cjson.new then
    local inst = cjson.new()
    inst.decode_max_depth(_M.MAX_DEPTH)
    return inst.decode
  end
  local has_dk, dkjson = pcall(require, "dkjson")
  if has_dk and type(dkjson) == "table" then
    return function(text)
      local v, _, err = dkjson.decode(text, 1, nil)
      return v, err
    end
  end
end
local default_decode = find_decoder()

-- A text of the answer as error tables carry it: cut first (bounded
-- work), then made UTF-8 (a bad byte becomes three), then cut again.
local function clean(info, max)
  if #info > max then info = info:sub(1, max + 1) end
  json = json or require "imerr._json"
  return json.truncate(json.utf8(info), max)
end

-- Texts already cleaned (a batch repeats the same few), by the text as the
-- answer gave it, for the MAX_INFO they were cut to; at most 64 of them.
local cleaned, cleaned_count, cleaned_max = {}, 0, nil

local function clean_info(info)
  local max = _M.MAX_INFO
  if #info > max then return clean(info, max) end
  if cleaned_max ~= max then
    cleaned, cleaned_count, cleaned_max = {}, 0, max
  end
  local c = cleaned[info]
  if c then return c end
  c = clean(info, max)
  if cleaned_count >= 64 then cleaned, cleaned_count = {}, 0 end
  cleaned[info], cleaned_count = c, cleaned_count + 1
  return c
end

-- A fresh error table: a hint's fields, with the code, name and info;
-- for a failed item also its id, list and account (one table made whole:
-- a batch makes thousands).
local function error_table(hint, code, name, info, id, list, account)
  if info then
    info = cleaned_max == _M.MAX_INFO and cleaned[info] or clean_info(info)
  end
  return { code = code, name = name, info = info,
    class = hint.class, reason = hint.reason, action = hint.action,
    http_status = hint.http_status, severity = hint.severity,
    min_delay = hint.min_delay, ambiguous = hint.ambiguous,
    id = id, list = list, account = account }
end

-- The private hints of what has no row (error tables are made from
-- private hints only: what a caller writes into a public one changes no
-- answer).
local private_of, to_code, row_of = rows.private_of, rows.to_code, rows.row
local hint_of, codes, index = rows.hints, rows.codes, rows.index
-- The names of the rows, loaded on the first failure with a code.
local names
local UNKNOWN, INVALID = private_of[hints.UNKNOWN], private_of[hints.INVALID]
local BAD_RESPONSE = private_of[hints.BAD_RESPONSE]

-- An error table for an answer that is not a valid envelope.
local function broken(why)
  return error_table(BAD_RESPONSE, nil, nil, why)
end

-- An ErrorCode is a JSON number that is a valid code.
local function is_code(v)
  return type(v) == "number" and to_code(v) ~= nil
end

-- An error table for a code, with its hint and name (the private ones),
-- and info (a string or nil). A code of the table is the number the table
-- has (an integer); others are looked up in the ranges.
local function failure(code, info)
  local i = index[code]
  if i then
    code = codes[i]
  else
    code = tointeger(code) or code
    i = row_of(code)
  end
  if i and not names then names = rows.texts().names end
  return error_table(i and hint_of[codes[i]] or UNKNOWN, code,
    i and names[i], info)
end

-- The answer's ErrorInfo, when it is a string.
local function answer_info(answer)
  local info = rawget(answer, "ErrorInfo")
  if type(info) == "string" then return info end
end

---------------------------------------------------------------------------
-- Per-item results. A failed item is an error table with id (the item's
-- identifier as the answer gives it), list (where it was found), code
-- (nil for a failed status or a bare id) and, for string ids, account.

local CODE_KEYS = { "ErrorCode", "ResultCode", "RetCode", "Code" }
local INFO_KEYS = { "ErrorInfo", "ResultInfo", "RetInfo", "Info" }
-- Where items keep their identifier when no catalogue row says.
local ID_PATHS = {
  { "To_Account" }, { "Member_Account" }, { "UserID" }, { "Account" },
  { "Peer_Account" }, { "GroupId" }, { "TopicId" }, { "MsgSeq" },
  { "ContactItem", "To_Account" }, { "ContactItem", "ToGroupId" },
  { "TopicInfo", "TopicId" }, { "Extension", "Key" },
}
-- Lists of the ids that failed, with no code.
local BARE_LISTS = { "Fail_Account", "Invalid_Account", "FailAccounts" }

-- Items are read raw: a table's metatable gets no say in what the answer
-- holds. An item without one (plain: as decoders make them) is read by
-- index, which costs less than a call of rawget: a batch has many items.

-- The id of an item and its type: at the first of paths that holds a
-- string or a number.
local function id_of(item, paths, plain)
  for i = 1, #paths do
    local path = paths[i]
    local v
    if plain then v = item[path[1]] else v = rawget(item, path[1]) end
    for j = 2, #path do
      if type(v) ~= "table" then break end
      v = rawget(v, path[j])
    end
    if v ~= nil then
      local t = type(v)
      if t == "string" then return v, t end
      if t == "number" and v == v then return tointeger(v) or v, t end
    end
  end
end

local function info_of(item, plain)
  for i = 1, #INFO_KEYS do
    local v
    if plain then v = item[INFO_KEYS[i]] else v = rawget(item, INFO_KEYS[i]) end
    if v ~= nil and type(v) == "string" then return v end
  end
end

-- The state of one reading: failures found, items left to read, and
-- the ids reported (kept only when a bare list may name them again).
local function new_reading()
  return { out = {}, ids = nil, budget = MAX_ITEMS }
end

-- Adds failure f of the item id (of type id_type, when known) in list.
local function add(r, f, id, list, id_type)
  f.id, f.list = id, list
  if (id_type or type(id)) == "string" then f.account = id end
  if id ~= nil and r.ids then r.ids[id] = true end
  r.out[#r.out + 1] = f
end

-- One item of a list whose code field is key; fail: the set of status
-- values that mean failure when key holds a status, not a code.
local function read_item(r, item, i, name, key, paths, fail)
  if type(item) ~= "table" then
    add(r, broken(name .. " item " .. i .. " is not an object"), nil, name)
    return
  end
  local plain = getmetatable(item) == nil
  local code, f
  if plain then code = item[key] else code = rawget(item, key) end
  if fail then
    if type(code) ~= "number" then
      f = broken(name .. " item " .. i .. " has no numeric " .. key)
    elseif fail[code] then
      f = error_table(UNKNOWN, nil, nil, info_of(item, plain))
      f.status = code
    end
  elseif code ~= 0 then
    local row = index[code]
    if row then
      -- The common failure, a code of the table: its table made whole.
      local id, id_type = id_of(item, paths, plain)
      if not names then names = rows.texts().names end
      f = error_table(hint_of[code], codes[row], names[row],
        info_of(item, plain), id, name, id_type == "string" and id or nil)
      if id ~= nil and r.ids then r.ids[id] = true end
      local out = r.out
      out[#out + 1] = f
      return
    elseif is_code(code) then
      f = failure(code, info_of(item, plain))
    else
      f = broken(name .. " item " .. i .. " has no valid " .. key)
    end
  end
  if f then
    local id, id_type = id_of(item, paths, plain)
    add(r, f, id, name, id_type)
  end
end

local function len(list)
  local n = rawlen and rawlen(list) or #list
  return n
end

-- A list of items described by a catalogue row, from step on.
local function walk(r, node, spec, step)
  if type(node) ~= "table" then return end
  local v = rawget(node, spec.path[step])
  if v == nil then return end
  if type(v) ~= "table" then
    -- A list the catalogue names, of the wrong type: its items cannot be
    -- read, so they cannot be taken for successes.
    add(r, broken(spec.path[step] .. " is not a list or object"), nil,
      spec.name)
    return
  end
  if not spec.arrays[step] then return walk(r, v, spec, step + 1) end
  local last = step == #spec.path
  local plain = getmetatable(v) == nil
  local name, key, paths, fail = spec.name, spec.code, spec.id, spec.fail
  for i = 1, len(v) do
    if r.budget <= 0 then return end
    r.budget = r.budget - 1
    local item
    if plain then item = v[i] else item = rawget(v, i) end
    if last then
      read_item(r, item, i, name, key, paths, fail)
    else
      walk(r, item, spec, step + 1)
    end
  end
end

-- The ids of a bare list that no item list reported already.
local function read_bare(r, list, name)
  if list == nil then return end
  if type(list) ~= "table" then
    add(r, broken(name .. " is not a list"), nil, name)
    return
  end
  local plain = getmetatable(list) == nil
  for i = 1, len(list) do
    if r.budget <= 0 then return end
    r.budget = r.budget - 1
    local id
    if plain then id = list[i] else id = rawget(list, i) end
    local t = type(id)
    if t == "number" then id = id == id and (tointeger(id) or id) or nil end
    if (t == "string" or id ~= nil and t == "number") and
      not (r.ids and r.ids[id]) then
      add(r, error_table(UNKNOWN, nil, nil, nil), id, name, t)
    end
  end
end

-- The failed items the catalogue row of an API describes.
local function catalogued(r, answer, row)
  local items = row.items
  for i = 1, #items do
    if items[i].bare and rawget(answer, items[i].path[1]) ~= nil then
      r.ids = {}
    end
  end
  for i = 1, #items do
    local spec = items[i]
    if not spec.bare then walk(r, answer, spec, 1) end
  end
  for i = 1, #items do
    local spec = items[i]
    if spec.bare then
      read_bare(r, rawget(answer, spec.path[1]), spec.name)
    end
  end
end

-- The code field of a list's items (as its first object has it), or nil
-- when it is no result list.
local function code_key(list)
  local first
  for i = 1, 16 do
    first = rawget(list, i)
    if first == nil or type(first) == "table" then break end
  end
  if type(first) ~= "table" then return nil end
  for i = 1, #CODE_KEYS do
    if rawget(first, CODE_KEYS[i]) ~= nil then return CODE_KEYS[i] end
  end
end

-- The keys of a table that hold tables, sorted: a reading in a fixed order.
-- (next, not pairs: a __pairs metamethod gets no say either.)
local function table_keys(t)
  local keys = {}
  for k, v in next, t do
    if type(k) == "string" and type(v) == "table" then
      keys[#keys + 1] = k
    end
  end
  table.sort(keys)
  return keys
end

-- Result lists found without a catalogue row: any list of objects with a
-- code field, in objects and in the items of other lists.
local function discover(r, node, name, depth)
  if depth > 4 or r.budget <= 0 then return end
  if rawget(node, 1) == nil then
    local keys = table_keys(node)
    for i = 1, #keys do
      local k = keys[i]
      discover(r, rawget(node, k), name and name .. "." .. k or k, depth + 1)
    end
    return
  end
  local list = name .. "[]"
  local key = code_key(node)
  local plain = getmetatable(node) == nil
  for i = 1, len(node) do
    if r.budget <= 0 then return end
    r.budget = r.budget - 1
    local item
    if plain then item = node[i] else item = rawget(node, i) end
    if key then
      read_item(r, item, i, list, key, ID_PATHS)
    elseif type(item) == "table" and depth < 4 then
      local keys = table_keys(item)
      for j = 1, #keys do
        local v = rawget(item, keys[j])
        if rawget(v, 1) ~= nil then
          discover(r, v, list .. "." .. keys[j], depth + 1)
        end
      end
    end
  end
end

local function discovered(r, answer)
  for i = 1, #BARE_LISTS do
    if rawget(answer, BARE_LISTS[i]) ~= nil then r.ids = {} end
  end
  discover(r, answer, nil, 0)
  for i = 1, #BARE_LISTS do
    local name = BARE_LISTS[i]
    read_bare(r, rawget(answer, name), name .. "[]")
  end
end

-- A message the backend dropped although the answer is OK: MsgFreqCtrl
-- is its frequency control (a rate limit: nothing was stored or sent).
local DROPS = { MsgFreqCtrl = private_of[hints.http_hint(429)] }

local function read_drop(r, answer)
  local why = rawget(answer, "MsgDropReason")
  if type(why) ~= "string" or why == "" then return end
  local f = error_table(DROPS[why] or UNKNOWN, nil, nil, why)
  f.dropped = why
  local seq = rawget(answer, "MsgSeq")
  add(r, f, (type(seq) == "number" or type(seq) == "string") and seq or nil,
    "MsgDropReason")
end

local function decode_text(text, decode)
  if text == "" then return nil, "empty answer" end
  -- JSON text never holds a raw NUL; some decoders stop reading at one.
  if text:find("\0", 1, true) then return nil, "answer has a NUL byte" end
  decode = decode or default_decode
  if not decode then
    return nil, "no JSON decoder: install lua-cjson (or dkjson), or pass one"
  end
  local ok, v, err = pcall(decode, text)
  if not ok or v == nil then
    return nil, "answer is not JSON: " .. tostring(ok and err or v):sub(1, 200)
  end
  return v
end

--- rest.api(path) -> the catalogue row of a REST API (see imerr.api), or
-- nil and a message (imerr.api.get).
-- @function api
-- @string path a REST API path
-- @treturn table the API's row
-- @return[2] nil
-- @treturn[2] string why not

--- rest.apis() iterates over all of them: for path, row in rest.apis()
-- (imerr.api.each).
-- @function apis
-- @return an iterator of path, row
_M.api, _M.apis = api.get, api.each

local OPTS = "check options must be an API path, a decoder function " ..
  "or a table { api = path, decode = function }"

-- api and decode from check's second argument, or nil and a message.
local function options(opts)
  local t = type(opts)
  if t == "nil" then return nil, nil end
  if t == "string" then return opts, nil end
  if t == "function" then return nil, opts end
  if t ~= "table" then return false, OPTS end
  local path, decode = rawget(opts, "api"), rawget(opts, "decode")
  if (path ~= nil and type(path) ~= "string") or
    (decode ~= nil and type(decode) ~= "function") then
    return false, OPTS
  end
  return path, decode
end

-- Whether an object holds any table: a flat envelope holds no lists.
local function holds_table(t)
  for _, v in next, t do
    if type(v) == "table" then return true end
  end
  return false
end

-- The answer's failed items, or nil when there are none.
local function item_failures(answer, row)
  local r
  if row then
    if #row.items > 0 then
      r = new_reading()
      catalogued(r, answer, row)
    end
  elseif holds_table(answer) then
    r = new_reading()
    discovered(r, answer)
  end
  if rawget(answer, "MsgDropReason") ~= nil then
    r = r or new_reading()
    read_drop(r, answer)
  end
  if r and #r.out > 0 then return r.out end
end

--- rest.check(answer, [api]) -> the decoded answer and, when items
-- failed, their list (each with id, list, code, info, class, reason,
-- action, ambiguous, ...); or nil and an error table with code, name,
-- info, request_id, class, reason, action, http_status, severity,
-- min_delay, ambiguous and failures. answer is a decoded table or the
-- JSON text. api is the API's path (its catalogue row says where its
-- per-item results are), a decoder function, or a table { api = path,
-- decode = function }. Without a catalogued api, lists of items with
-- ErrorCode, ResultCode, RetCode or Code and the bare id lists are found
-- on their own. Junk gives reason "bad_response"; nothing raises.
-- @tparam table|string answer the decoded answer or its JSON text
-- @tparam[opt] string|function|table opts the API's path, a decoder, or
-- { api = path, decode = function }
-- @treturn table the decoded answer
-- @treturn[opt] table the failed items, when any
-- @return[2] nil
-- @treturn[2] table the error table
function _M.check(answer, opts)
  local path, decode = options(opts)
  if path == false then
    return nil, error_table(INVALID, nil, nil, decode)
  end
  local row = path and api_row(path)
  if type(answer) == "string" then
    local v, err = decode_text(answer, decode)
    if v == nil then return nil, broken(err) end
    answer = v
  end
  if type(answer) ~= "table" then
    return nil, broken("answer must be a JSON object, got " .. type(answer))
  end
  -- Raw reads: a table's metatable gets no say in what the answer holds.
  if rawget(answer, 1) ~= nil then
    return nil, broken("answer is a JSON array, not an object")
  end
  local status = rawget(answer, "ActionStatus")
  local code = rawget(answer, "ErrorCode")
  local kind = row and row.answer
  if status == nil and kind == "no_status" then
    status = code == 0 and "OK" or "FAIL"
  end
  local failures = item_failures(answer, row)
  if status == "OK" and (code == nil or code == 0) or status == "SomeError" then
    return answer, failures
  end
  if status ~= "OK" and status ~= "FAIL" then
    return nil, broken("ActionStatus must be OK or FAIL, got " ..
      (type(status) == "string" and quote(status, 40) or type(status)))
  end
  -- Its top-level code "is meaningless": each item has its own.
  if kind == "items_decide" and
    type(rawget(answer, row.items[1].path[1])) == "table" then
    return answer, failures
  end
  local err
  if is_code(code) and code ~= 0 then
    err = failure(code, answer_info(answer))
  elseif status == "FAIL" and code == nil then
    -- Older pages show FAIL with an ErrorList and no ErrorCode: the
    -- first failed item's code stands for the answer.
    for i = 1, failures and #failures or 0 do
      if failures[i].code then
        err = failure(failures[i].code, answer_info(answer))
        break
      end
    end
  end
  if not err then
    return nil, broken("a failed answer needs a non-zero integer ErrorCode")
  end
  local request_id = rawget(answer, "RequestId")
  if type(request_id) == "string" then err.request_id = request_id end
  err.failures = failures
  return nil, err
end

return _M
