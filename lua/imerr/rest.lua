--- imerr.rest: reads Tencent IM REST API answers.
-- An answer is a JSON object with ActionStatus ("OK" or "FAIL"; "SomeError"
-- for a partial batchsendmsg), ErrorCode, ErrorInfo, usually RequestId,
-- and for batch APIs per-item results in one of many shapes, which the
-- API catalogue (imerr.api, data/rest_apis.tsv) names per API.
-- @module imerr.rest
local rows = require "imerr._rows"
local hints = require "imerr._hint"
-- imerr._json, loaded by the first text to clean (require stays cheap).
local json
local ERROR_MT = require("imerr._error").MT
local quote = require("imerr._private").quote
-- The catalogue's private rows (imerr._catalogue), loaded by the first
-- check given an api; imerr's JSON reader (imerr._decode), by the first
-- text; rest.prepare's module (imerr._request), by the first prepare.
local api_row, decoding, request

local type, pcall, tostring, getmetatable = type, pcall, tostring,
  getmetatable
local setmetatable = setmetatable
local find = string.find
local floor = math.floor
local rawget, next, huge = rawget, next, math.huge
-- JSON decoders give floats: 70107.0 reads better as 70107.
local tointeger = math.tointeger or function(v) return v end

local _M = { _VERSION = rows.VERSION }

-- The bounds check reads: locals, so that no caller can change them for
-- the whole process. The module's fields below only report them.
local MAX_DEPTH, MAX_INFO, MAX_ITEMS = 64, 512, 100000

--- Deeper JSON is no IM answer; imerr's reader refuses it before building
-- it: 64 (a read-only constant, as are the two below).
_M.MAX_DEPTH = MAX_DEPTH
--- Every text check returns from the answer (ErrorInfo, RequestId, item
-- ids and infos, list names, MsgDropReason) is cut to this many bytes (on
-- a UTF-8 character boundary, with "...") and made valid UTF-8: an answer
-- cannot grow them, or the log lines and answers that carry them, without
-- bound, nor make them text a JSON parser refuses: 512.
_M.MAX_INFO = MAX_INFO
--- List entries read at most in one answer: bounds the work a junk answer
-- can cause. A reading cut short ends its failures with a marker (see
-- check): 100000.
_M.MAX_ITEMS = MAX_ITEMS

-- A text of the answer as check gives it out (imerr._json.clip).
local function clean(s)
  json = json or require "imerr._json"
  return json.clip(s, MAX_INFO)
end

-- Short texts already cleaned (a batch repeats the same few infos), at
-- most 64 of them.
local cleaned, cleaned_count = {}, 0

-- Whether s is valid UTF-8 by RFC 3629 (no overlong forms, surrogates or
-- codes above U+10FFFF): Lua 5.4's utf8.len checks exactly that, in C,
-- for a third of what a pattern costs; elsewhere, plain ASCII.
local utf8_len = _VERSION == "Lua 5.4" and not rawget(_G, "jit") and
  rawget(_G, "utf8").len

-- Whether the answer being read came from JSON text that is plain ASCII
-- (imerr's reader says so): then every text of it is valid UTF-8 as it is.
-- Set by check for one reading, which never yields.
local ascii_answer = false

local function bounded(s)
  local c = cleaned[s]
  if c then return c end
  -- A long text is cut (and not remembered); most texts are short and
  -- valid: as they are, no copy.
  if #s > MAX_INFO then return clean(s) end
  if ascii_answer then return s end
  if utf8_len then
    if utf8_len(s) then return s end
  elseif not find(s, "[\128-\255]") then
    return s
  end
  c = clean(s)
  if cleaned_count >= 64 then cleaned, cleaned_count = {}, 0 end
  cleaned[s], cleaned_count = c, cleaned_count + 1
  return c
end

-- An id as check gives it out: a string bounded like any text, or a
-- finite number (an integral one as an integer); anything else (NaN, an
-- infinity, which no JSON encoder writes) is no id.
local function clean_id(v)
  local t = type(v)
  if t == "string" then return bounded(v) end
  if t == "number" and v == v and v ~= huge and v ~= -huge then
    return tointeger(v) or v
  end
end

-- A fresh error table: a hint's fields, with the code, name and info;
-- for a failed item also its id, list and account (one table made whole:
-- a batch makes thousands).
local function error_table(hint, code, name, info, id, list)
  if info then info = bounded(info) end
  return setmetatable({ code = code, name = name, info = info,
    class = hint.class, reason = hint.reason, action = hint.action,
    http_status = hint.http_status, severity = hint.severity,
    min_delay = hint.min_delay, ambiguous = hint.ambiguous,
    id = id, list = list, account = type(id) == "string" and id or nil },
    ERROR_MT)
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

-- An error table for a code, with its hint.
local function failure(code, info, id, list)
  local i = index[code]
  if i then
    code = codes[i]
  else
    code = tointeger(code) or code
    i = row_of(code)
  end
  if i and not names then names = rows.texts().names end
  return error_table(i and hint_of[codes[i]] or UNKNOWN, code,
    i and names[i], type(info) == "string" and info or nil, id, list)
end

---------------------------------------------------------------------------
-- Per-item results. A failed item is an error table with id (the item's
-- identifier as the answer gives it), list (where it was found), code
-- (nil for a failed status or a bare id) and, for string ids, account.

local INFO_KEYS = { "ErrorInfo", "ResultInfo", "RetInfo", "Info" }
-- Lists of the ids that failed, with no code.
local BARE_LISTS = { "Fail_Account", "Invalid_Account", "FailAccounts" }

-- Items are read raw: a table's metatable gets no say in what the answer
-- holds. An item without one (plain: as decoders make them) is read by
-- index, which costs less than a call of rawget: a batch has many items.
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
      local id = clean_id(v)
      if id ~= nil then return id, v end
    end
  end
end

local function info_of(item, plain)
  for i = 1, #INFO_KEYS do
    local v
    if plain then v = item[INFO_KEYS[i]] else v = rawget(item, INFO_KEYS[i]) end
    if type(v) == "string" then return v end
  end
end

-- The state of one reading: failures found, list entries left to read,
-- entries left unread when that ran out (and the first list cut), whether
-- anything could not be read, and the ids reported (kept only when a bare
-- list may name them again).
local function new_reading(max_items, plain)
  return { out = {}, ids = nil, budget = max_items, skipped = 0,
    plain = plain,
    cut_list = nil, unreadable = false }
end

-- id is a clean id (clean_id) or nil, raw the id as the answer gives it
-- (two long ids may be cut alike: each is reported); list a bounded name.
local function add(r, f, id, list, raw)
  if f.list == nil then
    f.id, f.list = id, list
    if type(id) == "string" then f.account = id end
  end
  if id ~= nil and r.ids then r.ids[raw == nil and id or raw] = true end
  local out = r.out
  out[#out + 1] = f
end

-- A part of the answer that cannot be read: a bad_response failure, and
-- the reading knows that some of its failures may be missing.
local function add_broken(r, why, id, list)
  r.unreadable = true
  add(r, broken(why), id, list)
end

-- The budget ran out with n entries of list left unread.
local function cut(r, n, list)
  r.skipped = r.skipped + n
  r.cut_list = r.cut_list or list
end

-- Whether a table reads as a JSON array: empty (cjson decodes [] and {}
-- alike: an empty object is an empty list), or with an item 1 and no key
-- that is not a number. A list sent as an object is not an empty list.
local function is_list(t)
  if next(t) == nil then return true end
  if rawget(t, 1) == nil then return false end
  for k in next, t do
    if type(k) ~= "number" then return false end
  end
  return true
end

-- One item of a list whose code field is key; fail: the set of status
-- values that mean failure when key holds a status, not a code.
local function read_item(r, item, i, name, key, paths, fail)
  if type(item) ~= "table" then
    add_broken(r, name .. " item " .. i .. " is not an object", nil, name)
    return
  end
  local plain = r.plain or getmetatable(item) == nil
  local code, f
  if plain then code = item[key] else code = rawget(item, key) end
  if code == 0 and not fail then return end
  if fail then
    if type(code) ~= "number" then
      r.unreadable = true
      f = broken(name .. " item " .. i .. " has no numeric " .. key)
    elseif fail[code] then
      local id, raw = id_of(item, paths, plain)
      f = error_table(UNKNOWN, nil, nil, info_of(item, plain), id, name)
      f.status = code
      return add(r, f, id, name, raw)
    end
  elseif index[code] then
    -- A code of the table, the common failure: made inline (a batch makes
    -- thousands; every call counts). The common id, a short valid string
    -- at the first path, is taken as it is (what id_of would give).
    local p1, raw = paths[1], nil
    if plain and p1 and #p1 == 1 then raw = item[p1[1]] end
    if not (type(raw) == "string" and #raw <= MAX_INFO and
      (ascii_answer or utf8_len and utf8_len(raw))) then
      raw = nil
    end
    local id = raw
    if not id then id, raw = id_of(item, paths, plain) end
    local info = plain and item.ErrorInfo
    if type(info) ~= "string" then info = info_of(item, plain) end
    if info then info = cleaned[info] or bounded(info) end
    local row = index[code]
    if not names then names = rows.texts().names end
    code = codes[row]
    local hint = hint_of[code]
    if id ~= nil and r.ids then r.ids[raw == nil and id or raw] = true end
    local out = r.out
    out[#out + 1] = setmetatable({ code = code, name = names[row],
      info = info, class = hint.class, reason = hint.reason,
      action = hint.action, http_status = hint.http_status,
      severity = hint.severity, min_delay = hint.min_delay,
      ambiguous = hint.ambiguous, id = id, list = name,
      account = type(id) == "string" and id or nil }, ERROR_MT)
    return
  elseif is_code(code) then
    local id, raw = id_of(item, paths, plain)
    local info = plain and item.ErrorInfo
    if type(info) ~= "string" then info = info_of(item, plain) end
    return add(r, failure(code, info, id, name), id, name, raw)
  else
    r.unreadable = true
    f = broken(name .. " item " .. i .. " has no valid " .. key)
  end
  if f then
    local id, raw = id_of(item, paths, plain)
    add(r, f, id, name, raw)
  end
end

local function len(list)
  local n = rawlen and rawlen(list) or #list
  return n
end

-- A list of items described by a catalogue row, from step on (node is a
-- table). A list or object the catalogue names, of the wrong type: its
-- items cannot be read, so they cannot be taken for successes.
local function walk(r, node, spec, step)
  local key = spec.path[step]
  local v = rawget(node, key)
  if v == nil then return end
  if type(v) ~= "table" then
    return add_broken(r, key .. " is not a list or object", nil, spec.name)
  end
  if not spec.arrays[step] then
    if rawget(v, 1) ~= nil then
      return add_broken(r, key .. " is a list, not an object", nil,
        spec.name)
    end
    return walk(r, v, spec, step + 1)
  end
  if not is_list(v) then
    return add_broken(r, key .. " is an object, not a list", nil, spec.name)
  end
  local n, last = len(v), step == #spec.path
  local plain = r.plain or getmetatable(v) == nil
  for i = 1, n do
    if r.budget <= 0 then return cut(r, n - i + 1, spec.name) end
    r.budget = r.budget - 1
    local item
    if plain then item = v[i] else item = rawget(v, i) end
    if last then
      read_item(r, item, i, spec.name, spec.code, spec.id, spec.fail)
    elseif type(item) ~= "table" then
      add_broken(r, key .. " item " .. i .. " is not an object", nil,
        spec.name)
    else
      walk(r, item, spec, step + 1)
    end
  end
end

-- The ids of a bare list that no item list reported already.
local function read_bare(r, list, name)
  if list == nil then return end
  if type(list) ~= "table" or not is_list(list) then
    return add_broken(r, name .. " is not a list", nil, name)
  end
  local n = len(list)
  for i = 1, n do
    if r.budget <= 0 then return cut(r, n - i + 1, name) end
    r.budget = r.budget - 1
    local raw = rawget(list, i)
    local id = clean_id(raw)
    if id == nil then
      add_broken(r, name .. " item " .. i .. " is not an id", nil, name)
    elseif not (r.ids and r.ids[raw]) then
      add(r, error_table(UNKNOWN, nil, nil, nil), id, name, raw)
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


-- A message the backend dropped although the answer is OK: MsgFreqCtrl
-- is its frequency control (a rate limit: nothing was stored or sent).
local DROPS = { MsgFreqCtrl = private_of[hints.http_hint(429)] }

local function read_drop(r, answer)
  local why = rawget(answer, "MsgDropReason")
  if type(why) ~= "string" or why == "" then return end
  local f = error_table(DROPS[why] or UNKNOWN, nil, nil, why)
  f.dropped = f.info
  local seq = rawget(answer, "MsgSeq")
  add(r, f, clean_id(seq), "MsgDropReason", seq)
end

-- The decoded text, and whether imerr's own reader made it: then no table
-- in it has a metatable, and it is read by index, never through rawget;
-- and whether the text was plain ASCII.
local function decode_text(text, decode)
  if text == "" then return nil, "empty answer" end
  if not decode then
    -- (imerr's reader refuses a NUL byte itself)
    decoding = decoding or require "imerr._decode"
    local v, ascii = decoding.decode(text)
    if v == nil then return nil, (ascii:gsub("^text", "answer")) end
    return v, nil, true, ascii
  end
  -- JSON text never holds a raw NUL; some decoders stop reading at one.
  if text:find("\0", 1, true) then return nil, "answer has a NUL byte" end
  local ok, v, err = pcall(decode, text)
  if not ok or v == nil then
    return nil, "answer is not JSON: " .. tostring(ok and err or v):sub(1, 200)
  end
  return v, nil, false
end


local OPTS = "check options must be an API path, a decoder function " ..
  "or a table { api = path, decode = function, max_items = n }"
local OPTION_KEYS = { api = true, decode = true, max_items = true }

-- api and decode from check's second argument, or nil and a message.
local function options(opts)
  local t = type(opts)
  if t == "nil" then return nil, nil, MAX_ITEMS end
  if t == "string" then return opts, nil, MAX_ITEMS end
  if t == "function" then return nil, opts, MAX_ITEMS end
  if t ~= "table" then return false, OPTS end
  for k in next, opts do
    if not OPTION_KEYS[k] then
      return false, "unknown check option " .. quote(tostring(k), 40)
    end
  end
  local path, decode = rawget(opts, "api"), rawget(opts, "decode")
  local max_items = rawget(opts, "max_items")
  if max_items == nil then max_items = MAX_ITEMS end
  if (path ~= nil and type(path) ~= "string") or
    (decode ~= nil and type(decode) ~= "function") then
    return false, OPTS
  end
  if type(max_items) ~= "number" or max_items ~= floor(max_items) or
    max_items < 1 or max_items > MAX_ITEMS then
    return false, "check max_items must be a whole number in [1, " ..
      MAX_ITEMS .. "]"
  end
  return path, decode, max_items
end

-- Whether an object holds any table: a flat envelope holds no lists.
local function holds_table(t)
  for _, v in next, t do
    if type(v) == "table" then return true end
  end
  return false
end

-- The answer's failed items, or nil when there are none; and whether
-- some part of the answer could not be read (a failure may be missing).
-- A reading cut short by the budget ends with a marker: a bad_response
-- failure whose truncated field counts the entries left unread.
-- The reading of an answer without a catalogued api (imerr._discover),
-- loaded by the first such answer.
local discovery

local function item_failures(answer, row, max_items, plain)
  local r
  if row then
    if #row.items > 0 then
      r = new_reading(max_items, plain)
      catalogued(r, answer, row)
    end
  elseif holds_table(answer) then
    r = new_reading(max_items, plain)
    discovery = discovery or require("imerr._discover")({
      bounded = bounded, read_item = read_item, add_broken = add_broken,
      cut = cut, len = len, is_list = is_list, read_bare = read_bare,
      BARE_LISTS = BARE_LISTS })
    discovery(r, answer)
  end
  if rawget(answer, "MsgDropReason") ~= nil then
    r = r or new_reading(max_items, plain)
    read_drop(r, answer)
  end
  if not r then return nil, false end
  if r.skipped > 0 then
    local f = broken(("%d more list entries not read: imerr reads at " ..
      "most %d"):format(r.skipped, max_items))
    f.truncated = r.skipped
    add(r, f, nil, r.cut_list)
    r.unreadable = true
  end
  if #r.out > 0 then return r.out, r.unreadable end
  return nil, r.unreadable
end

-- Why a SomeError answer is no partial success, or nil when it is one.
-- SomeError is documented only for batchsendmsg, with ErrorCode 0 and the
-- failed recipients in ErrorList: with ErrorCode 0 (or none) it is a
-- partial success only for an API whose row says it answers so (or no
-- catalogued API: then the shape speaks for itself), and with failed items
-- that were all read.
local function some_error(row, failures, unreadable)
  if row and row.answer ~= "some_error" then
    return "ActionStatus SomeError from an API that does not answer it"
  end
  if not failures then
    return "ActionStatus SomeError with no failed item"
  end
  if unreadable then
    return "ActionStatus SomeError with failed items that cannot all be read"
  end
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
-- on their own, and an answer with an ErrorCode but no ActionStatus (the
-- openconfigsvr APIs) is read by its code. Junk gives reason
-- "bad_response"; nothing raises.
--
-- JSON text is read by imerr's own reader (no JSON library needed), which
-- keeps integers exact: one beyond 2^53, which a double would round
-- (get_appid_group_list's 64-bit Next, a 19-digit id), comes back as an
-- integer where a Lua integer holds it (5.3, 5.4), else as its exact
-- decimal text (LuaJIT, 5.1, and beyond 64 bits); on 5.3 and 5.4 every
-- integral number is an integer (a failed item's MsgSeq is 1, not 1.0).
-- null is cjson.null. A decoder given in opts is used as it is.
--
-- A list sent with the wrong JSON type (an object where the catalogue
-- names a list, say "ResultItem": {...}) is a bad_response failure, never
-- an empty list; an empty {} is an empty list, as decoders read [] and {}
-- alike. ActionStatus "SomeError" is a partial success (the answer and its
-- failures) only with ErrorCode 0 or none, for an API whose row says it
-- answers so (batchsendmsg) or without a catalogued api, and when its
-- failed items were found and all read; any other SomeError is read like
-- FAIL, by its ErrorCode (e.g. 70001), else as bad_response.
--
-- Texts (info, request_id, string ids and account, list, dropped) are at
-- most MAX_INFO bytes of valid UTF-8. A numeric id is a finite number
-- (integral ones as integers); NaN and infinities are no id. At most
-- MAX_ITEMS list entries are read: when more were left, the failures end
-- with a marker, a bad_response failure whose truncated field is the
-- number of entries left unread (at least: lists inside what was not read
-- are not counted) and whose list names the first list cut.
-- @tparam table|string answer the decoded answer or its JSON text
-- @tparam[opt] string|function|table opts the API's path, a decoder, or
-- { api = path, decode = function, max_items = n } (max_items: read at
-- most that many list entries, at most MAX_ITEMS, the default)
-- @treturn table the decoded answer
-- @treturn[opt] table the failed items, when any
-- @return[2] nil
-- @treturn[2] table the error table
function _M.check(answer, opts)
  ascii_answer = false
  local path, decode, max_items = options(opts)
  if path == false then
    return nil, error_table(INVALID, nil, nil, decode)
  end
  if path and not api_row then api_row = require("imerr._catalogue").row end
  local row = path and api_row(path)
  local plain = false
  if type(answer) == "string" then
    local v, err, ascii
    v, err, plain, ascii = decode_text(answer, decode)
    if v == nil then return nil, broken(err) end
    answer, ascii_answer = v, ascii
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
  -- The openconfigsvr APIs answer with ErrorCode alone: their row says so,
  -- and without an api the code speaks for itself.
  if status == nil and (kind == "no_status" or
    (not row and type(code) == "number")) then
    status = code == 0 and "OK" or "FAIL"
  end
  local failures, unreadable = item_failures(answer, row, max_items, plain)
  local not_partial
  if status == "SomeError" then
    -- Anything but a partial success is read like a FAIL: by its code.
    if code == nil or code == 0 then
      not_partial = some_error(row, failures, unreadable)
      if not not_partial then return answer, failures end
    end
    status = "FAIL"
  end
  if status == "OK" and (code == nil or code == 0) then
    return answer, failures
  end
  if status ~= "OK" and status ~= "FAIL" then
    return nil, broken("ActionStatus must be OK, FAIL or SomeError, got " ..
      (type(status) == "string" and quote(status, 40) or type(status)))
  end
  -- Its top-level code "is meaningless": each item has its own (when they
  -- can all be read).
  if kind == "items_decide" and not unreadable and
    type(rawget(answer, row.items[1].path[1])) == "table" then
    return answer, failures
  end
  local err
  if is_code(code) and code ~= 0 then
    err = failure(code, rawget(answer, "ErrorInfo"))
  elseif status == "FAIL" and code == nil then
    -- Older pages show FAIL with an ErrorList and no ErrorCode: the
    -- first failed item's code stands for the answer.
    for i = 1, failures and #failures or 0 do
      if failures[i].code then
        err = failure(failures[i].code, rawget(answer, "ErrorInfo"))
        break
      end
    end
  end
  err = err or broken(not_partial or
    "a failed answer needs a non-zero integer ErrorCode")
  local request_id = rawget(answer, "RequestId")
  if type(request_id) == "string" then
    err.request_id = bounded(request_id)
  end
  err.failures = failures
  return nil, err
end

--- rest.prepare(api, body) -> a request to send, alike, on every attempt;
-- or nil and a message. req.api is the API's path, req.body the exact
-- bytes to send (JSON text, encoded once), req.dedupe the API's
-- de-duplication rule (imerr.api, data/dedupe.tsv: fields, fill, content,
-- window in seconds or math.huge, page, date), or nil where Tencent states
-- none. Give req to policy:start{ request = req }: a message API with a
-- rule is then resent after an ambiguous failure while Tencent still
-- discards the resend as a duplicate.
--
-- Where the rule's fields that Tencent would otherwise fill at random on
-- each attempt are left out (sendmsg's and importmsg's MsgRandom and
-- MsgSeq, the group APIs' Random, each import_group_msg message's Random),
-- prepare fills them once, with a 32-bit unsigned random number in
-- [1, 2^32 - 1] from imerr's own generator (seeded per process and per
-- nginx worker from /dev/urandom, the pid and the time: no caller's
-- math.randomseed can make two workers draw the same keys). A field the
-- caller set is never changed, nor is the caller's table.
--
-- body is a table (encoded by imerr: keys in a fixed order, integers with
-- all their digits, cjson.null as null, an empty table as {}) or the JSON
-- text of an object, whose bytes are kept: missing fields are written in
-- right after their object's opening brace. What cannot be sent is
-- refused with a message naming the place: NaN, infinities, functions and
-- other values JSON lacks, tables that hold themselves, lists with holes,
-- tables mixing list items and named fields, bytes that are not UTF-8,
-- nesting deeper than 64, text that is not JSON or names a field twice.
-- @string api the API's path, e.g. "v4/openim/sendmsg"
-- @tparam table|string body the request body
-- @treturn table the request: api, body, dedupe
-- @return[2] nil
-- @treturn[2] string why not
function _M.prepare(api, body)
  request = request or require "imerr._request"
  return request.prepare(api, body)
end

return _M
