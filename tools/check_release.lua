-- Checks that a release says one thing everywhere: the version of
-- src/imerr.h (the one place it is written) against the release rockspec,
-- CHANGELOG.md, the man page and the README; and every rockspec's module
-- list against the files in lua/imerr/.
-- usage: lua tools/check_release.lua [ROOT]   (exits 1 on any problem)
local _M = {}

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("*a")
  f:close()
  return text
end

--- The version in imerr.h's text, or nil.
function _M.header_version(text)
  return text:match('\n#define IMERR_VERSION "(%d+%.%d+%.%d+)"')
end

--- A rockspec's text as a table, or nil and a message.
function _M.load_rockspec(text, name)
  local env = {}
  local chunk, err
  if setfenv then -- Lua 5.1
    chunk, err = loadstring(text, name)
    if chunk then setfenv(chunk, env) end
  else
    chunk, err = load(text, name, "t", env)
  end
  if not chunk then return nil, err end
  local ok, run_err = pcall(chunk)
  if not ok then return nil, run_err end
  return env
end

--- The Lua modules a rockspec installs: module name -> file.
function _M.lua_modules(spec)
  local out = {}
  local build = spec.build or {}
  for name, file in pairs(build.modules or {}) do
    if type(file) == "string" and file:match("%.lua$") then out[name] = file end
  end
  for name, file in pairs(build.install and build.install.lua or {}) do
    out[name] = file
  end
  return out
end

--- Problems between a rockspec's modules and the files of lua/imerr/
-- (names like "retry.lua"): a module per file, each at its own path.
function _M.module_problems(where, spec, files)
  local problems, modules = {}, _M.lua_modules(spec)
  local listed = {}
  for name, file in pairs(modules) do
    local base = file:match("^lua/imerr/([%w_]+%.lua)$")
    local want = base and "imerr." .. base:gsub("%.lua$", "")
    if not base or name ~= want then
      problems[#problems + 1] = ("%s: module %s -> %s is not lua/imerr/%s")
        :format(where, name, file, base or "?")
    else
      listed[base] = true
    end
  end
  for _, f in ipairs(files) do
    if not listed[f] then
      problems[#problems + 1] = where .. ": lua/imerr/" .. f .. " is not listed"
    end
  end
  local core = (spec.build or {}).modules
  core = core and core["imerr.core"]
  if spec.build and spec.build.type == "builtin" and type(core) ~= "table" then
    problems[#problems + 1] = where .. ": no imerr.core C module"
  end
  if not (spec.build and spec.build.install and spec.build.install.bin and
      spec.build.install.bin.imerr == "bin/imerr") then
    problems[#problems + 1] = where .. ": does not install bin/imerr"
  end
  return problems
end

--- Problems of a release rockspec (file name, table) against version v.
function _M.rockspec_problems(file, spec, v)
  local problems = {}
  local function bad(msg) problems[#problems + 1] = file .. ": " .. msg end
  if not file:match("^imerr%-" .. v:gsub("%.", "%%.") .. "%-%d+%.rockspec$")
  then
    bad("file name is not imerr-" .. v .. "-N.rockspec")
  end
  if type(spec.version) ~= "string" or
      spec.version:match("^(.-)%-%d+$") ~= v then
    bad("version " .. tostring(spec.version) .. " is not " .. v .. "-N")
  end
  local source = spec.source or {}
  for _, key in ipairs { "url", "dir" } do
    if type(source[key]) ~= "string" or not source[key]:find(v, 1, true) then
      bad("source." .. key .. " does not name " .. v)
    end
  end
  return problems
end

--- Problems of the other places the version appears, given their texts.
function _M.text_problems(v, changelog, man, readme)
  local problems = {}
  local first = changelog and ("\n" .. changelog):match("\n## (%d+%.%d+%.%d+)")
  if first ~= v then
    problems[#problems + 1] = "CHANGELOG.md: first release is " ..
      tostring(first) .. ", not " .. v
  end
  local th = man and ("\n" .. man):match("\n%.TH [^\n]*")
  if not (th and th:find('"imerr ' .. v .. '"', 1, true)) then
    problems[#problems + 1] = "doc/imerr.1: .TH does not say imerr " .. v
  end
  -- The README's example of _VERSION, and its release file names
  -- (imerr-X.Y.Z.tar.gz, rockspecs/imerr-X.Y.Z-1.rockspec).
  for line in (readme or ""):gmatch("[^\n]+") do
    local said = line:find("_VERSION", 1, true) and
      line:match("%f[%d](%d+%.%d+%.%d+)%f[^%d.]")
    for named in line:gmatch("imerr%-(%d+%.%d+%.%d+)") do
      if named ~= v then said = named end
    end
    if said and said ~= v then
      problems[#problems + 1] = "README.md: says " .. said .. ": " .. line
    end
  end
  return problems
end

local function list(dir, pattern)
  local out = {}
  local pipe = io.popen('ls -1 "' .. dir .. '" 2>/dev/null')
  for name in pipe:lines() do
    if name:match(pattern) then out[#out + 1] = name end
  end
  pipe:close()
  table.sort(out)
  return out
end

--- Every problem of the source tree at root; and the version.
function _M.check(root)
  local problems = {}
  local function add(list_of)
    for _, p in ipairs(list_of) do problems[#problems + 1] = p end
  end
  local v = _M.header_version(read(root .. "/src/imerr.h") or "")
  if not v then return { "src/imerr.h: no IMERR_VERSION" } end
  local files = list(root .. "/lua/imerr", "^[%w_]+%.lua$")
  local releases = 0
  for _, file in ipairs(list(root .. "/rockspecs", "%.rockspec$")) do
    local where = "rockspecs/" .. file
    local spec, err = _M.load_rockspec(read(root .. "/" .. where) or "", where)
    if not spec then
      add { where .. ": " .. tostring(err) }
    else
      add(_M.module_problems(where, spec, files))
      if not file:match("%-scm%-%d+%.rockspec$") then
        releases = releases + 1
        add(_M.rockspec_problems(file, spec, v))
      end
    end
  end
  if releases ~= 1 then
    add { ("rockspecs/: %d release rockspecs, want 1"):format(releases) }
  end
  add(_M.text_problems(v, read(root .. "/CHANGELOG.md"),
    read(root .. "/doc/imerr.1"), read(root .. "/README.md")))
  return problems, v
end

if arg and arg[0] and arg[0]:match("check_release%.lua$") then
  local problems, v = _M.check(arg[1] or ".")
  for _, p in ipairs(problems) do print("FAIL: " .. p) end
  print(("check_release: version %s, %d problems"):format(tostring(v),
    #problems))
  os.exit(#problems == 0 and 0 or 1)
end
return _M
