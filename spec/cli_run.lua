-- Runs the imerr tool for the CLI specs: with the interpreter under test
-- (IMERR_LUA) and the module paths of the running busted.
local _M = {}

_M.LUA = os.getenv("IMERR_LUA") or "lua5.4"
_M.CLI = os.getenv("IMERR_CLI") or "bin/imerr"

--- s quoted for sh.
function _M.quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

--- The contents of a file.
function _M.slurp(name)
  local f = assert(io.open(name, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

--- Runs a shell command line: stdout, stderr and the exit status.
function _M.shell(line)
  local err_file = os.tmpname()
  local pipe = assert(io.popen(("%s 2>%s; echo \"exit=$?\""):format(line,
    err_file)))
  local out = pipe:read("*a")
  pipe:close()
  local err = _M.slurp(err_file)
  os.remove(err_file)
  local status = tonumber(out:match("exit=(%d+)\n$"))
  return out:gsub("exit=%d+\n$", ""), err, status
end

--- Runs the tool with args (a list, each quoted) and redirect (as given,
-- e.g. ">/dev/full"): stdout, stderr and the exit status.
function _M.run(args, redirect)
  local quoted = {}
  for i, a in ipairs(args) do quoted[i] = _M.quote(a) end
  local setup = ("package.path=%q package.cpath=%q"):format(package.path,
    package.cpath)
  return _M.shell(("%s -e %s %s %s %s"):format(_M.LUA, _M.quote(setup),
    _M.CLI, table.concat(quoted, " "), redirect or ""))
end

return _M
