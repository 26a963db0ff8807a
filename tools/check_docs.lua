-- Checks the Lua API reference: every public function of the given
-- modules has an LDoc comment (`---`) with a @param or @tparam tag for each
-- parameter, and LDoc itself prints no warning.
-- usage: lua tools/check_docs.lua [--ldoc "CMD" --html DIR --cpath DIR]
--          [--pending a,b] FILE...
-- With --html, each module is required and every function it holds must
-- have an entry in DIR/modules/NAME.html (what CMD wrote).
-- Modules named in --pending (by file name, without .lua) are listed but do
-- not fail the check. Exits 1 on any failure, 2 on misuse.
local _M = {}

-- Public functions: `function _M.x(...)`, `_M.x = function(...)` and
-- methods of a module's classes, `function Class:x(...)` or
-- `function Class.x(...)` (a capitalised local).
local PATTERNS = {
  "^function%s+_M%.([%w_]+)%s*%(([^)]*)%)",
  "^_M%.([%w_]+)%s*=%s*function%s*%(([^)]*)%)",
  "^function%s+(%u[%w_]*[:.][%w_]+)%s*%(([^)]*)%)",
}

local function public_function(line)
  for _, p in ipairs(PATTERNS) do
    local name, params = line:match(p)
    if name then return name, params end
  end
end

-- LDoc's typed shorthands for @tparam TYPE (@tab spec, @string name...).
local TYPE_TAGS = { tab = true, table = true, string = true, number = true,
  int = true, bool = true, func = true, thread = true }

-- Whether a doc block tags the parameter: @param NAME, @tparam TYPE NAME
-- or a shorthand.
local function tagged(block, param)
  -- Modifiers (@param[opt], @string[opt=1]) say nothing of the name.
  block = block:gsub("(@%a+)%b[]", "%1")
  for tag, rest in block:gmatch("@(%a+)%s+([^\n]*)") do
    local name = tag == "param" and rest:match("^%[?([%w_]+)") or
      tag == "tparam" and rest:match("^%S+%s+%[?([%w_]+)") or
      TYPE_TAGS[tag] and rest:match("^%[?([%w_]+)")
    if name == param then return true end
  end
  return false
end

-- The comment block right above line i (no blank line between), or nil.
local function doc_block(lines, i)
  local first = i
  while first > 1 and lines[first - 1]:match("^%s*%-%-") do
    first = first - 1
  end
  if first == i then return nil end
  return table.concat(lines, "\n", first, i - 1), lines[first]
end

--- Problems of one file's text: a list of "file:line: message".
function _M.check_text(path, text)
  local lines, problems = {}, {}
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    lines[#lines + 1] = line
  end
  for i, line in ipairs(lines) do
    local name, params = public_function(line)
    if name then
      local block, head = doc_block(lines, i)
      local where = ("%s:%d: %s"):format(path, i, name)
      if not block or not head:match("^%s*%-%-%-") then
        problems[#problems + 1] = where .. " has no LDoc comment (---)"
      else
        for param in params:gmatch("[%w_]+") do
          if not tagged(block, param) then
            problems[#problems + 1] = where .. ": no @param " .. param
          end
        end
      end
    end
  end
  return problems
end

local function read(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local text = f:read("*a")
  f:close()
  return text
end

-- The file name without folder and .lua: "lua/imerr/retry.lua" -> "retry".
local function module_of(path)
  return path:match("([^/\\]+)%.lua$") or path
end

-- LDoc's own messages about the sources: lines "FILE:LINE: ...", and any
-- line that says warning or error.
function _M.ldoc_problems(output)
  local problems = {}
  for line in output:gmatch("[^\n]+") do
    if not (line:match("^reading configuration from ") or
        line:match("^output written to ")) then
      problems[#problems + 1] = line
    end
  end
  return problems
end

-- The module a file is: lua/imerr/init.lua -> imerr, lua/imerr/x.lua ->
-- imerr.x.
local function require_name(path)
  local m = module_of(path)
  return m == "init" and "imerr" or "imerr." .. m
end

--- Functions the loaded module table holds that the LDoc page lacks:
-- catches what the text scan cannot see (`_M.f = local_function`).
function _M.missing_in_html(mod, html)
  local missing = {}
  for k, v in pairs(mod) do
    if type(k) == "string" and type(v) == "function" and
        not html:find('<a name = "' .. k .. '"', 1, true) then
      missing[#missing + 1] = k
    end
  end
  table.sort(missing)
  return missing
end

local function check_html(path, dir, report)
  local ok, mod = pcall(require, require_name(path))
  if not ok or type(mod) ~= "table" then
    return report(path .. ": cannot require: " .. tostring(mod), path)
  end
  local html = read(dir .. "/modules/" .. require_name(path) .. ".html") or
    read(dir .. "/modules/" .. module_of(path) .. ".html")
  if not html then
    return report(path .. ": no page in " .. dir, path)
  end
  for _, k in ipairs(_M.missing_in_html(mod, html)) do
    report(path .. ": " .. k .. " is a public function missing from the " ..
      "reference", path)
  end
end

local function main(args)
  local ldoc, html, pending, files = nil, nil, {}, {}
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--ldoc" then
      ldoc, i = args[i + 1], i + 1
    elseif a == "--cpath" then
      -- The modules from lua/ beside this file, imerr.core from there.
      local root = (arg[0]:match("^(.*)[/\\]") or ".") .. "/../lua"
      package.path = root .. "/?.lua;" .. root .. "/?/init.lua;" ..
        package.path
      package.cpath = args[i + 1] .. "/?.so;" .. package.cpath
      i = i + 1
    elseif a == "--html" then
      html, i = args[i + 1], i + 1
    elseif a == "--pending" then
      for m in (args[i + 1] or ""):gmatch("[^,%s]+") do pending[m] = true end
      i = i + 1
    else
      files[#files + 1] = a
    end
    i = i + 1
  end
  if #files == 0 then
    io.stderr:write("usage: check_docs.lua [--ldoc CMD] [--pending a,b] ",
      "FILE...\n")
    return 2
  end
  local failed, listed = 0, 0
  local function report(problem, file)
    if pending[module_of(file or problem:match("^([^:]+)") or "")] then
      listed = listed + 1
      print("pending: " .. problem)
    else
      failed = failed + 1
      print("FAIL: " .. problem)
    end
  end
  for _, path in ipairs(files) do
    local text, err = read(path)
    if not text then
      report(tostring(err), path)
    else
      for _, p in ipairs(_M.check_text(path, text)) do report(p, path) end
    end
  end
  if ldoc then
    local pipe = io.popen(ldoc .. " 2>&1")
    local output = pipe:read("*a") or ""
    local ok = pipe:close()
    for _, p in ipairs(_M.ldoc_problems(output)) do report(p) end
    if not ok then report("ldoc failed: " .. ldoc) end
  end
  if html then
    for _, path in ipairs(files) do check_html(path, html, report) end
  end
  print(("check_docs: %d files, %d problems, %d pending"):format(#files,
    failed, listed))
  return failed == 0 and 0 or 1
end

if arg and arg[0] and arg[0]:match("check_docs%.lua$") then
  os.exit(main(arg))
end
return _M
