--- imerr.api: Tencent IM's server REST APIs as data (data/rest_apis.tsv,
-- generated into a C table of imerr.core): per API its per-item result
-- lists, whether it writes, whether it may be repeated after an ambiguous
-- failure, its call-frequency limit and the codes its page lists.
-- @module imerr.api
local core = require "imerr.core"
local private = require "imerr._private"

local type, quote, api_find, api_row = type, private.quote, core.api_find,
  core.api_row

local _M = {}

--- Number of APIs in the catalogue.
_M.count = core.api_count

-- "https://host/v4/a/b?x=1", "/v4/a/b", "host/v4/a/b/" -> "v4/a/b".
local function normalize(path)
  path = path:match("^[^?#]*")
  local rest = path:match("^/?(v4/.*)$") or
    path:match("^%a[%w+.-]*://[^/]*/(v4/.*)$") or
    path:match("^[^/:]+/(v4/.*)$")
  if rest then return (rest:gsub("/+$", "")) end
end

-- path -> the API's index in the C table, and its row as imerr's own
-- modules read it: made by the core on first use and never handed out,
-- so no caller can change what another sees (make sendmsg idempotent for
-- the whole process, say). Callers get fresh tables made by the core.
local index_of, by_path = {}, {}

-- The index of the API at path, or nil and a message.
local function find_index(path)
  local i = index_of[path]
  if i then return i end
  if type(path) ~= "string" then
    return nil, "api must be a path string, got " .. type(path)
  end
  local plain = api_find(path) and path or normalize(path)
  i = plain and (index_of[plain] or api_find(plain))
  if not i then return nil, "unknown api: " .. quote(path, 80) end
  index_of[plain] = i
  return i
end

local function find(path)
  local row = by_path[path]
  if row then return row end
  local i, err = find_index(path)
  if not i then return nil, err end
  row = api_row(i)
  by_path[row.path] = row
  return row
end
-- For imerr.rest and imerr.retry: the private row.
private.api_row = find

--- api.get(path) -> the API's row, a fresh table (changing it changes
-- nothing else), with path, area, writes, idempotent (may be repeated
-- after an ambiguous failure), rate (documented calls per second, or
-- nil), limit (the page's wording when it says more than a rate), codes
-- (the codes the page lists), private (set of those codes that imerr's
-- table lacks), items (its per-item result lists), answer (how its answer
-- departs from the envelope), why and doc; or nil and a message. path may
-- carry a leading "/", a scheme and host, and a query string.
-- @string path the API's path, e.g. "v4/openim/sendmsg"
-- @treturn table the API's row
-- @return[2] nil
-- @treturn[2] string why not
function _M.get(path)
  local i, err = find_index(path)
  if not i then return nil, err end
  return api_row(i)
end

--- Iterates over every API in path order: for path, row in api.each()
-- (each row a fresh table).
-- @return an iterator of path, row
function _M.each()
  local i = 0
  return function()
    i = i + 1
    local row = api_row(i)
    if row then return row.path, row end
  end
end

return _M
