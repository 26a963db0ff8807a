-- The code blocks of imerr's Markdown pages (README.md, docs/*.md), so
-- that the tests run them and the pages cannot drift from the code.
--
-- ```lua blocks run, each in a fresh interpreter; every `-->` in a block
-- shows one line the block prints, in order, and the lines it prints
-- must be exactly those. A shown line ending in "..." matches any printed
-- line that starts with the text before it; runs of white space count as
-- one space; two lines that are both JSON objects match when they decode
-- to the same value.
-- ```lua-openresty blocks need nginx: their first line names a file
-- (`-- examples/openresty/lua/app/im_limit.lua`) and the rest must appear
-- in that file as written (the nginx stage runs the file).
-- A recipe is a section whose ```sh blocks each start with `# N.`,
-- numbered from 1; its ```text blocks show what the recipe prints.
--
-- usage: lua tools/docs_snippets.lua recipe FILE HEADING [DIR]
--          prints the recipe of a section, for bash; with DIR, each step's
--          output goes to DIR/N.out
--        lua tools/docs_snippets.lua shown FILE HEADING N
--          prints what the section shows step N prints
--        lua tools/docs_snippets.lua blocks LANG FILE HEADING
--          prints the LANG blocks of a section
--        lua tools/docs_snippets.lua compare lua|text FILE
--          compares stdin with what FILE shows (a Lua block's `-->` lines,
--          or text); exits 1 and says where they differ
local _M = {}

local function lines_of(text)
  local out = {}
  if text == "" then return out end
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do out[#out + 1] = line end
  if text:sub(-1) == "\n" then out[#out] = nil end
  return out
end

--- The fenced code blocks of a Markdown text, in order: each
-- { lang = "lua", text = "...", line = N } (N: the fence's line). A fence
-- may be indented (inside a list); the indentation is removed.
function _M.blocks(text)
  local blocks, open = {}, nil
  for i, line in ipairs(lines_of(text)) do
    if open then
      if line:match("^%s*```%s*$") then
        open.text = table.concat(open.lines, "\n") ..
          (#open.lines > 0 and "\n" or "")
        open.lines = nil
        blocks[#blocks + 1] = open
        open = nil
      else
        local indent = open.indent
        if line:sub(1, #indent) == indent then line = line:sub(#indent + 1) end
        open.lines[#open.lines + 1] = line
      end
    else
      local indent, lang = line:match("^(%s*)```([%w_%-]*)%s*$")
      if indent then
        open = { lang = lang, line = i, indent = indent, lines = {} }
      end
    end
  end
  for _, b in ipairs(blocks) do b.indent = nil end
  return blocks
end

--- The part of a Markdown text under the heading whose title is title
-- (any level, outside code blocks), up to the next heading of the same
-- or a higher level: its text, and the line number of the heading.
function _M.section(text, title)
  local out, level, first, fenced = nil, nil, nil, false
  for i, line in ipairs(lines_of(text)) do
    if line:match("^%s*```") then fenced = not fenced end
    local hashes, name = line:match("^(#+)%s+(.-)%s*$")
    if hashes and not fenced then
      if level and #hashes <= level then break end
      if not level and name == title then
        level, first, out = #hashes, i, {}
      end
    end
    -- Keep every line of the section, with blank lines, so that line
    -- numbers inside it can be mapped back.
    if out then out[#out + 1] = line end
  end
  if not out then return nil, "no heading " .. title end
  return table.concat(out, "\n") .. "\n", first
end

--- The lines a Lua block shows it prints: the text after each `-->`.
function _M.expected(code)
  local out = {}
  for _, line in ipairs(lines_of(code)) do
    local shown = line:match("%-%->%s?(.*)$")
    if shown then out[#out + 1] = (shown:gsub("%s+$", "")) end
  end
  return out
end

local function squeeze(s)
  return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

-- A JSON decoder, if one is installed.
local decode
do
  local ok, cjson = pcall(require, "cjson.safe")
  if ok then
    decode = cjson.decode
  else
    local ok2, dkjson = pcall(require, "dkjson")
    if ok2 then decode = function(s) return dkjson.decode(s) end end
  end
end

local function same(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do
    if not same(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

local function json_object(s)
  if not decode or not s:match("^%s*{") then return nil end
  local v = decode(s)
  return type(v) == "table" and v or nil
end

--- Whether a printed line matches a shown one.
function _M.matches(shown, printed)
  shown, printed = squeeze(shown), squeeze(printed)
  if shown == printed then return true end
  local prefix = shown:match("^(.-)%s*%.%.%.$")
  if prefix and printed:sub(1, #prefix) == prefix then return true end
  local a, b = json_object(shown), json_object(printed)
  return a ~= nil and b ~= nil and same(a, b)
end

--- nil when the printed text has exactly the shown lines, else a
-- message saying where they first differ.
function _M.compare(shown, printed)
  local got = lines_of(printed)
  for i = 1, math.max(#shown, #got) do
    local s, g = shown[i], got[i]
    if s == nil then
      return ("prints %d lines, shows %d; line %d printed: %s")
        :format(#got, #shown, i, g)
    elseif g == nil then
      return ("prints %d lines, shows %d; line %d not printed: %s")
        :format(#got, #shown, i, s)
    elseif not _M.matches(s, g) then
      return ("line %d: shows %s\n  printed %s"):format(i, s, g)
    end
  end
  return nil
end

local function quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function slurp(name)
  local f = io.open(name, "rb")
  if not f then return nil end
  local text = f:read("*a")
  f:close()
  return text
end

--- Runs a Lua text in a fresh interpreter, from the current folder:
-- opts.lua (the interpreter, "lua5.4" by default), opts.path and
-- opts.cpath (package.path and package.cpath, the running ones by
-- default). Returns what it printed, what it wrote to stderr and its exit
-- status.
function _M.run(code, opts)
  opts = opts or {}
  local file, err_file = os.tmpname(), os.tmpname()
  local f = assert(io.open(file, "wb"))
  f:write(code)
  f:close()
  local setup = ("package.path=%q package.cpath=%q"):format(
    opts.path or package.path, opts.cpath or package.cpath)
  local pipe = assert(io.popen(("%s -e %s %s 2>%s; echo \"exit=$?\"")
    :format(opts.lua or "lua5.4", quote(setup), quote(file), err_file)))
  local out = pipe:read("*a")
  pipe:close()
  local err = slurp(err_file) or ""
  os.remove(file)
  os.remove(err_file)
  local status = tonumber(out:match("exit=(%d+)\n$"))
  return (out:gsub("exit=%d+\n$", "")), err, status
end

--- nil when a Lua block runs and prints what it shows, else what went
-- wrong (opts as for run).
function _M.check_lua(code, opts)
  local out, err, status = _M.run(code, opts)
  if status ~= 0 then
    return ("exits %s: %s"):format(tostring(status), err)
  end
  return _M.compare(_M.expected(code), out)
end

--- nil when a ```lua-openresty block is an excerpt of the file its first
-- line names (read from root), else what is wrong.
function _M.check_excerpt(code, root)
  local name, rest = code:match("^%-%-%s*(%S+)%s*\n(.*)$")
  if not name then
    return "the first line must be a comment naming the file it is from"
  end
  local text = slurp((root or ".") .. "/" .. name)
  if not text then return "no file " .. name end
  if rest:match("^%s*$") then return "nothing after the file's name" end
  if not text:find(rest, 1, true) then
    return "not in " .. name .. " as written"
  end
  return nil
end

--- The blocks of a section of one language.
function _M.section_blocks(text, title, lang)
  local section, err = _M.section(text, title)
  if not section then return nil, err end
  local out = {}
  for _, b in ipairs(_M.blocks(section)) do
    if b.lang == lang then out[#out + 1] = b end
  end
  return out
end

--- The recipe of a section: its ```sh blocks, or nil and a message when
-- they are not numbered 1, 2, 3... Each step is { text = "...", shown =
-- "..." }: shown is the text of the ```text blocks between it and the
-- next step (what the page says it prints), or nil.
function _M.recipe_steps(text, title)
  local section, err = _M.section(text, title)
  if not section then return nil, err end
  local steps = {}
  for _, b in ipairs(_M.blocks(section)) do
    if b.lang == "sh" then
      local i = #steps + 1
      if tonumber(b.text:match("^#%s*(%d+)%.")) ~= i then
        return nil, ("sh block %d under %s must start with '# %d.'")
          :format(i, title, i)
      end
      steps[i] = { text = b.text }
    elseif b.lang == "text" and #steps > 0 then
      local step = steps[#steps]
      step.shown = (step.shown or "") .. b.text
    end
  end
  if #steps == 0 then return nil, "no sh blocks under " .. title end
  return steps
end

--- The recipe of a section as one script for bash, each step's output
-- going to DIR/N.out when dir is given.
function _M.recipe(text, title, dir)
  local steps, err = _M.recipe_steps(text, title)
  if not steps then return nil, err end
  local parts = {}
  for i, step in ipairs(steps) do
    if dir then
      parts[i] = ("{\n%s} >%s\n"):format(step.text, quote(dir .. "/" .. i ..
        ".out"))
    else
      parts[i] = step.text
    end
  end
  return table.concat(parts)
end

local USAGE = "usage: docs_snippets.lua recipe FILE HEADING [DIR] | " ..
  "shown FILE HEADING STEP | blocks LANG FILE HEADING | compare lua|text FILE"

local function main(args)
  local function fail(msg, code)
    io.stderr:write("docs_snippets: ", msg, "\n")
    os.exit(code or 1)
  end
  local cmd = args[1]
  if cmd == "compare" then
    local kind, text = args[2], args[3] and slurp(args[3])
    if not text or (kind ~= "lua" and kind ~= "text") then fail(USAGE, 2) end
    local shown = kind == "lua" and _M.expected(text) or lines_of(text)
    local problem = _M.compare(shown, io.read("*a"))
    if problem then fail(args[3] .. ": " .. problem) end
    return
  end
  local file = cmd == "blocks" and args[3] or args[2]
  local heading = cmd == "blocks" and args[4] or args[3]
  local text = file and slurp(file)
  if not text or not heading then fail(USAGE, 2) end
  if cmd == "recipe" then
    local script, err = _M.recipe(text, heading, args[4])
    if not script then fail(err) end
    io.write(script)
  elseif cmd == "shown" then
    local steps, err = _M.recipe_steps(text, heading)
    if not steps then fail(err) end
    local step = steps[tonumber(args[4])]
    if not step then fail("no step " .. tostring(args[4])) end
    io.write(step.shown or "")
  elseif cmd == "blocks" then
    local blocks, err = _M.section_blocks(text, heading, args[2])
    if not blocks then fail(err) end
    if #blocks == 0 then
      fail("no " .. args[2] .. " blocks under " .. heading)
    end
    for _, b in ipairs(blocks) do io.write(b.text) end
  else
    fail(USAGE, 2)
  end
end

if arg and arg[0] and arg[0]:match("docs_snippets%.lua$") then main(arg) end

return _M
