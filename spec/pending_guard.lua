-- A busted helper (.busted): a pending spec fails the run unless
-- spec/pending_allowed.lua says why it may be pending here. Pending
-- specs are otherwise silent, and a check that never runs passes.
local busted = require "busted"
local allowed = dofile("spec/pending_allowed.lua")

local function full_name(element)
  local names = { element.name or element.descriptor }
  local parent = busted.parent(element)
  while parent and parent.descriptor ~= "file" do
    table.insert(names, 1, parent.name or parent.descriptor)
    parent = busted.parent(parent)
  end
  return table.concat(names, " ")
end

local function excused(name)
  for _, entry in ipairs(allowed) do
    if name:find(entry.name) and entry.when() then return true end
  end
  return false
end

local refused = {}

busted.subscribe({ "test", "end" }, function(element, _, status)
  if status == "pending" then
    local name = full_name(element)
    if not excused(name) then refused[#refused + 1] = name end
  end
  return nil, true
end)

busted.subscribe({ "exit" }, function()
  if #refused == 0 then return nil, true end
  io.stderr:write(("\n%d pending spec(s) not in spec/pending_allowed.lua:\n")
    :format(#refused))
  for _, name in ipairs(refused) do io.stderr:write("  ", name, "\n") end
  io.stderr:flush()
  os.exit(1)
end)
