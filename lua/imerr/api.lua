--- imerr.api: Tencent IM's server REST APIs as data (data/rest_apis.tsv,
-- generated into a C table of imerr.core): per API its per-item result
-- lists, whether it writes, whether it may be repeated after an ambiguous
-- failure, its call-frequency limit and the codes its page lists.
-- @module imerr.api
local core = require "imerr.core"
local catalogue = require "imerr._catalogue"
local quote = require("imerr._private").quote

local api_row, find_index = core.api_row, catalogue.index
local type, pairs, ipairs = type, pairs, ipairs

local _M = {}

--- Number of APIs in the catalogue.
_M.count = core.api_count

--- api.get(path) -> the API's row, a fresh table (changing it changes
-- nothing else), with path, area, writes, idempotent (may be repeated
-- after an ambiguous failure), rate (documented calls per second, the
-- lowest where the page gives one per edition; nil where the page states
-- none), limits (where a current page was read: a list of { kind, rate,
-- text, page, updated, edition }, kind calls, recipients, group, account
-- or message, data/rates.tsv), recipient_rate (recipients a second over
-- all calls, batchsendmsg), group_rate (messages a second per group),
-- limit (the page's wording when it says more than a rate), codes
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

-- region -> its endpoint row, and the regions for messages: made on
-- first use, so that require reads nothing of them.
local by_region, regions

local function load_endpoints()
  by_region, regions = {}, {}
  for _, e in ipairs(core.api_endpoints()) do
    by_region[e.region] = e
    regions[#regions + 1] = e.status == "legacy" and
      e.region .. " (legacy)" or e.region
  end
  regions = table.concat(regions, ", ")
end

--- api.endpoint(region) -> where the REST API of a data center answers:
-- { region, host, backup, status, page, updated, backup_page,
-- backup_updated, dropped }, a fresh table; or nil and a message naming
-- the known regions. Regions: china, singapore, seoul, tokyo, frankfurt,
-- silicon_valley, jakarta (status "current"), and mumbai (status
-- "legacy": no current page lists it; dropped is the date of the first
-- dated page found without it). backup is the domain Tencent gives for
-- DNS trouble (nil where none is listed: tokyo). page and updated cite
-- the page the host was read from and its last-updated date
-- (data/endpoints.tsv). An app lives in one data center, chosen when it
-- was created: 70016 and 70020 (action check_region) say a request went
-- to another.
-- @string region e.g. "tokyo"
-- @treturn table the endpoint
-- @return[2] nil
-- @treturn[2] string why not, with the known regions
function _M.endpoint(region)
  if not by_region then load_endpoints() end
  local e = type(region) == "string" and by_region[region]
  if not e then
    return nil, ("unknown region %s: known are %s"):format(
      type(region) == "string" and quote(region, 40) or "(a " ..
        type(region) .. ")", regions)
  end
  local copy = {}
  for k, v in pairs(e) do copy[k] = v end
  return copy
end

--- Iterates over the data centers in data/endpoints.tsv's order: for
-- region, endpoint in api.endpoints() (each endpoint a fresh table, as
-- api.endpoint gives it).
-- @return an iterator of region, endpoint
function _M.endpoints()
  local list, i = core.api_endpoints(), 0
  return function()
    i = i + 1
    local e = list[i]
    if e then return e.region, e end
  end
end

return _M
