--- imerr._catalogue: the REST API catalogue's rows as imerr's own modules
-- read them (internal). The rows come from the C table of imerr.core,
-- made on first use and never handed out, so no caller can change what a
-- decision reads (make sendmsg idempotent for the whole process, say);
-- imerr.api hands out fresh tables.
local core = require "imerr.core"
local quote = require("imerr._private").quote

local type, api_find, api_row = type, core.api_find, core.api_row

local _M = {}

-- "https://host/v4/a/b?x=1", "/v4/a/b", "host/v4/a/b/" -> "v4/a/b".
local function normalize(path)
  path = path:match("^[^?#]*")
  local rest = path:match("^/?(v4/.*)$") or
    path:match("^%a[%w+.-]*://[^/]*/(v4/.*)$") or
    path:match("^[^/:]+/(v4/.*)$")
  if rest then return (rest:gsub("/+$", "")) end
end

-- Canonical path -> the API's index in the C table; canonical path and
-- index -> its private row (a query string or a leading "/" varies per
-- call, so those are normalized each time and not kept).
local index_of, by_path, by_index = {}, {}, {}

--- The index of the API at path in the C table, or nil and a message.
-- path may carry a leading "/", a scheme and host, and a query string.
function _M.index(path)
  local i = index_of[path]
  if i then return i end
  if type(path) ~= "string" then
    return nil, "api must be a path string, got " .. type(path)
  end
  local plain = path
  i = api_find(path)
  if not i then
    plain = normalize(path)
    i = plain and (index_of[plain] or api_find(plain))
  end
  if not i then return nil, "unknown api: " .. quote(path, 80) end
  index_of[plain] = i
  return i
end

--- The private row of the API at path, or nil and a message.
function _M.row(path)
  local row = by_path[path]
  if row then return row end
  local i, err = _M.index(path)
  if not i then return nil, err end
  row = by_index[i]
  if not row then
    row = api_row(i)
    by_index[i], by_path[row.path] = row, row
  end
  return row
end

return _M
