--- imerr.api: Tencent IM's server REST APIs as data (data/rest_apis.tsv,
-- generated into a C table of imerr.core): per API its per-item result
-- lists, whether it writes, whether it may be repeated after an ambiguous
-- failure, its call-frequency limit and the codes its page lists.
-- @module imerr.api
local core = require "imerr.core"
local catalogue = require "imerr._catalogue"

local api_row, find_index = core.api_row, catalogue.index

local _M = {}

--- Number of APIs in the catalogue.
_M.count = core.api_count

--- api.get(path) -> the API's row, a fresh table (changing it changes
-- nothing else), with path, area, writes, idempotent (may be repeated
-- after an ambiguous failure), rate (documented calls per second, or
-- nil), limit (the page's wording when it says more than a rate), codes
-- (the codes the page lists), private (set of those codes that imerr's
-- table lacks), items (its per-item result lists), answer (how its answer
-- departs from the envelope), why, doc, and dedupe where Tencent
-- de-duplicates the API's requests (data/dedupe.tsv: fields of the key,
-- fill, content, window in seconds or math.huge, page, date); or nil and
-- a message. path may carry a leading "/", a scheme and host, and a query
-- string.
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
