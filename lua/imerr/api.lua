--- imerr.api: Tencent IM's server REST APIs as data (data/rest_apis.tsv,
-- generated into imerr.apis): per API its per-item result lists, whether
-- it writes, whether it may be repeated after an ambiguous failure, its
-- call-frequency limit and the codes its page lists.
-- @module imerr.api
local apis = require "imerr.apis"
local private = require "imerr._private"

local type, pairs, quote = type, pairs, private.quote

local _M = {}

local by_path, list = {}, apis
for i = 1, #list do by_path[list[i].path] = list[i] end

-- A fresh copy of t and of every table in it: callers get copies, imerr's
-- own modules read the rows themselves, so no caller can change what
-- another sees (make sendmsg idempotent for the whole process, say).
-- Copies rather than read-only views: # and ipairs over a row's lists
-- work on Lua 5.1 and LuaJIT too, and the catalogue is no hot path.
local function copy(t)
  local out = {}
  for k, x in pairs(t) do out[k] = type(x) == "table" and copy(x) or x end
  return out
end

--- Number of APIs in the catalogue.
_M.count = #list

-- "https://host/v4/a/b?x=1", "/v4/a/b", "host/v4/a/b/" -> "v4/a/b".
local function normalize(path)
  path = path:match("^[^?#]*")
  local rest = path:match("^/?(v4/.*)$") or
    path:match("^%a[%w+.-]*://[^/]*/(v4/.*)$") or
    path:match("^[^/:]+/(v4/.*)$")
  if rest then return (rest:gsub("/+$", "")) end
end

local function find(path)
  local row = by_path[path]
  if row then return row end
  if type(path) ~= "string" then
    return nil, "api must be a path string, got " .. type(path)
  end
  local plain = normalize(path)
  row = plain and by_path[plain]
  if row then return row end
  return nil, "unknown api: " .. quote(path, 80)
end
-- For imerr.rest and imerr.retry: the private row.
private.api_row = find

--- api.get(path) -> the API's row, a fresh copy (changing it
-- changes nothing else), with path, area,
-- writes, idempotent (may be repeated after an ambiguous failure), rate
-- (documented calls per second, or nil), limit (the page's wording when
-- it says more than a rate), codes (the codes the page lists), private
-- (set of those codes that imerr's table lacks), items (its per-item
-- result lists), answer (how its answer departs from the envelope), why
-- and doc; or nil and a message. path may carry a leading "/", a scheme
-- and host, and a query string.
-- @string path the API's path, e.g. "v4/openim/sendmsg"
-- @treturn table the API's row
-- @return[2] nil
-- @treturn[2] string why not
function _M.get(path)
  local row, err = find(path)
  if not row then return nil, err end
  return copy(row)
end

--- Iterates over every API in path order: for path, row in api.each().
-- @return an iterator of path, row
function _M.each()
  local i = 0
  return function()
    i = i + 1
    local row = list[i]
    if row then return row.path, copy(row) end
  end
end

return _M
