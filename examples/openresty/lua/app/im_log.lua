--- Log lines without the request: nginx adds the request line, query
-- included (and with it a client's usersig), to whatever is logged while
-- a request is served. A zero-delay timer logs outside the request.
local ngx = ngx
local select, tostring, concat = select, tostring, table.concat

local has_errlog, errlog = pcall(require, "ngx.errlog")

local _M = {}

local function write(premature, level, text)
  if premature then return end
  ngx.log(level, text)
end

--- log(level, ...): the arguments' text at level (ngx.ERR, ngx.WARN, ...),
-- when error_log lets that level through. A line that cannot be handed to
-- a timer (too many pending) is dropped, never logged with the request.
function _M.log(level, ...)
  if has_errlog and level > errlog.get_sys_filter_level() then return end
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
  ngx.timer.at(0, write, level, concat(parts))
end

return _M
