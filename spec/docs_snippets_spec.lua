-- The pages run: every ```lua block of README.md and docs/*.md runs in a
-- fresh interpreter (the one under test, with the paths busted gives it)
-- and must print what its `-->` marks show; every ```lua-openresty block
-- must be an excerpt of the file it names; the imerr sessions of
-- docs/cli.md must print what they show; links must lead somewhere.
-- Then tools/docs_snippets.lua itself, on pages written to pass and to
-- fail it.
local snippets = require "docs_snippets"

-- The interpreter under test: ctest names it; else the one running.
local LUA = os.getenv("IMERR_LUA") or
  (rawget(_G, "jit") and "luajit" or "lua" .. _VERSION:match("%d+%.%d+"))

local function read(name)
  local f = assert(io.open(name, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

local function write(name, text)
  local f = assert(io.open(name, "wb"))
  f:write(text)
  f:close()
end

local function pages()
  local list = { "README.md" }
  local pipe = assert(io.popen("ls docs/*.md"))
  for name in pipe:lines() do list[#list + 1] = name end
  pipe:close()
  return list
end

local function check(block, page)
  if block.lang == "lua" then
    return snippets.check_lua(block.text, { lua = LUA })
  elseif block.lang == "lua-openresty" then
    return snippets.check_excerpt(block.text, ".")
  end
  return "a Lua block must be lua or lua-openresty, not " .. block.lang ..
    " (" .. page .. ")"
end

-- CMake builds imerr.sig_core only where OpenSSL and zlib are found, and
-- says IMERR_SIG_BUILT=OFF where it did not: there the blocks that use
-- imerr.sig cannot run, and are pending (spec/pending_allowed.lua).
local SIG_BUILT = os.getenv("IMERR_SIG_BUILT") ~= "OFF"

local function needs_sig(block)
  return block.lang == "lua" and (block.text:find("imerr.sig", 1, true) or
    block.text:find("callback.verify", 1, true)) ~= nil
end

describe("the pages' Lua blocks", function()
  for _, page in ipairs(pages()) do
    for _, block in ipairs(snippets.blocks(read(page))) do
      if block.lang:match("^lua") then
        local where = page .. ":" .. block.line
        if needs_sig(block) and not SIG_BUILT then
          pending(where .. " needs imerr.sig_core, not built here")
        else
          it(where .. " runs and prints what it shows", function()
            local problem = check(block, page)
            assert(problem == nil, where .. ": " .. tostring(problem))
          end)
        end
      end
    end
  end
end)

-- The commands of a ```text block that shows a shell session: each
-- "$ imerr ARGS" line and the lines it prints, up to the next "$ ".
local function sessions(text)
  local out, cur = {}, nil
  for line in text:gmatch("([^\n]*)\n") do
    local args = line:match("^%$ imerr%s*(.*)$")
    if args then
      cur = { args = args, shown = {} }
      out[#out + 1] = cur
    elseif cur then
      cur.shown[#cur.shown + 1] = line
    end
  end
  return out
end

describe("the imerr sessions of docs/cli.md", function()
  local cli = require "cli_run"
  for _, block in ipairs(snippets.blocks(read("docs/cli.md"))) do
    if block.lang == "text" then
      for _, s in ipairs(sessions(block.text)) do
        local where = "docs/cli.md:" .. block.line .. ": imerr " .. s.args
        it(where .. " prints what it shows", function()
          local args = {}
          for a in s.args:gmatch("%S+") do args[#args + 1] = a end
          local out, err, status = cli.run(args)
          assert(status == 0, where .. ": exit " .. tostring(status) .. err)
          local problem = snippets.compare(s.shown, out)
          assert(problem == nil, where .. ": " .. tostring(problem))
        end)
      end
    end
  end
end)

-- GitHub's anchor of a heading: lower case, punctuation dropped, spaces
-- made dashes.
local function anchor(title)
  return (title:lower():gsub("`", ""):gsub("[^%w%s_%-]", ""):gsub("%s", "-"))
end

local function anchors(text)
  local out, fenced = {}, false
  for line in text:gmatch("[^\n]*") do
    if line:match("^%s*```") then fenced = not fenced end
    local title = not fenced and line:match("^#+%s+(.-)%s*$")
    if title then out[anchor(title)] = true end
  end
  return out
end

describe("the pages", function()
  it("keep README.md within 300 lines", function()
    local n = select(2, read("README.md"):gsub("\n", "\n"))
    assert(n <= 300, "README.md has " .. n .. " lines")
  end)

  it("link only to files and headings that exist", function()
    local bad = {}
    for _, page in ipairs(pages()) do
      local dir = page:match("^(.*)/") or "."
      for target in read(page):gmatch("%]%(([^)%s]+)%)") do
        if not target:match("^%a+:") then
          local file, frag = target:match("^([^#]*)#?(.*)$")
          local path = file == "" and page or dir .. "/" .. file
          local f = io.open(path, "rb")
          if not f then
            bad[#bad + 1] = page .. ": no file " .. target
          else
            local text = f:read("*a")
            f:close()
            if frag ~= "" and path:match("%.md$") and not anchors(text)[frag] then
              bad[#bad + 1] = page .. ": no heading " .. target
            end
          end
        end
      end
    end
    assert.same({}, bad)
  end)

  it("make anchors as GitHub does", function()
    assert.equal("what-to-do-about-a-code-hints",
      anchor("What to do about a code: hints"))
    assert.equal("in-nginx", anchor("In nginx"))
  end)
end)

describe("tools/docs_snippets.lua", function()
  local opts = { lua = LUA }

  it("fails a page whose block shows a wrong result", function()
    local name = os.tmpname()
    write(name, "# A page\n\nText.\n\n```lua\nlocal imerr = require \"imerr\"\n" ..
      "print(imerr.name(70001))  --> ERR_SVR_ACCOUNT_USERSIG_EXPIRED\n" ..
      "print(imerr.code(\"ERR_SDK_NOT_INITIALIZED\"))  --> 6014\n```\n")
    local blocks = snippets.blocks(read(name))
    os.remove(name)
    assert.equal(1, #blocks)
    assert.equal(5, blocks[1].line)
    assert.equal("line 2: shows 6014\n  printed 6013",
      snippets.check_lua(blocks[1].text, opts))
  end)

  it("passes a block that prints what it shows", function()
    assert.is_nil(snippets.check_lua("local imerr = require 'imerr'\n" ..
      "print(imerr.lookup(99999))  --> nil   unknown code: 99999\n" ..
      "for i = 1, 2 do print(i) end\n--> 1\n--> 2\n" ..
      "print(imerr.message(9510))  --> Network connection setup ...\n", opts))
  end)

  it("fails a block that raises, or prints more or less than it shows",
    function()
      local p = snippets.check_lua("print(1) --> 1\nerror('boom')\n", opts)
      assert.truthy(p and p:find("exits 1", 1, true) and p:find("boom", 1, true))
      assert.equal("prints 2 lines, shows 1; line 2 printed: 2",
        snippets.check_lua("print(1) --> 1\nprint(2)\n", opts))
      assert.equal("prints 0 lines, shows 1; line 1 not printed: 1",
        snippets.check_lua("local x = 1 --> 1\n", opts))
    end)

  it("compares JSON objects by value, and nothing else", function()
    assert.is_true(snippets.matches('{"a":1,"b":[true]}', '{"b":[true],"a":1}'))
    assert.is_false(snippets.matches('{"a":1}', '{"a":1,"b":2}'))
    assert.is_false(snippets.matches('{"a":1}', '{"a":"1"}'))
    assert.is_false(snippets.matches("x ...", "y and more"))
    assert.is_true(snippets.matches("x ...", "x and more"))
  end)

  it("takes an excerpt only from the file it names, as written", function()
    assert.is_nil(snippets.check_excerpt(
      "-- examples/openresty/lua/app/im_proxy.lua\nlocal _M = {}\n", "."))
    assert.equal("not in examples/openresty/lua/app/im_proxy.lua as written",
      snippets.check_excerpt(
        "-- examples/openresty/lua/app/im_proxy.lua\nlocal _M = { }\n", "."))
    assert.equal("no file examples/nope.lua",
      snippets.check_excerpt("-- examples/nope.lua\nx\n", "."))
  end)

  local RECIPE = "# Title\n\n## Run it\n\n```sh\n# 1. one\necho a\n```\n\n" ..
    "```text\na\n```\n\n```sh\n# 2. two\n# not a heading\necho b\n```\n\n" ..
    "## Next\n\n```sh\necho c\n```\n"

  it("reads a recipe's numbered steps and what each shows", function()
    local steps = assert(snippets.recipe_steps(RECIPE, "Run it"))
    assert.same({ { text = "# 1. one\necho a\n", shown = "a\n" },
      { text = "# 2. two\n# not a heading\necho b\n" } }, steps)
    assert.equal("{\n# 1. one\necho a\n} >'/d/1.out'\n" ..
      "{\n# 2. two\n# not a heading\necho b\n} >'/d/2.out'\n",
      snippets.recipe(RECIPE, "Run it", "/d"))
  end)

  it("refuses a recipe with a step out of order", function()
    local text = RECIPE:gsub("# 2%. two", "# 3. two")
    assert.same({ nil, "sh block 2 under Run it must start with '# 2.'" },
      { snippets.recipe(text, "Run it") })
    assert.same({ nil, "no heading Walk" }, { snippets.recipe(text, "Walk") })
  end)
end)
