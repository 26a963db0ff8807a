--- imerr._discover: the per-item results of an answer read without a
-- catalogue row (internal; imerr.rest loads it on the first such answer):
-- any list of objects with a code field, in objects and in the items of
-- other lists, and the bare id lists. imerr.rest hands in what the two
-- readings share.
local type, next, rawget, ipairs = type, next, rawget, ipairs
local sort = table.sort

local CODE_KEYS = { "ErrorCode", "ResultCode", "RetCode", "Code" }
-- Where items keep their identifier when no catalogue row says.
local ID_PATHS = {
  { "To_Account" }, { "Member_Account" }, { "UserID" }, { "Account" },
  { "Peer_Account" }, { "GroupId" }, { "TopicId" }, { "MsgSeq" },
  { "ContactItem", "To_Account" }, { "ContactItem", "ToGroupId" },
  { "TopicInfo", "TopicId" }, { "Extension", "Key" },
}

return function(shared)
  local bounded, read_item, add_broken = shared.bounded, shared.read_item,
    shared.add_broken
  local cut, len, is_list = shared.cut, shared.len, shared.is_list
  local read_bare, BARE_LISTS = shared.read_bare, shared.BARE_LISTS
  local IS_BARE = {}
  for _, name in ipairs(BARE_LISTS) do IS_BARE[name] = true end

  -- The names the catalogue gives lists of items (ResultItem, ErrorList,
  -- MemberList, ...): found without a row, such a name holding an object is
  -- a list of the wrong type, not an object to look into. (The bare lists
  -- are read, and checked, on their own.)
  -- Made on the first answer read without a row.
  local LIST_NAMES
  local function list_names()
    if LIST_NAMES then return LIST_NAMES end
    local names_of = {}
    for _, row in require("imerr.api").each() do
      for _, spec in ipairs(row.items) do
        for step, key in ipairs(spec.path) do
          if spec.arrays[step] and not spec.bare then names_of[key] = true end
        end
      end
    end
    LIST_NAMES = names_of
    return names_of
  end

  -- The code field of a list's items (as its first object has it), or nil
  -- when it is no result list.
  local function code_key(list)
    local first
    for i = 1, 16 do
      first = rawget(list, i)
      if first == nil or type(first) == "table" then break end
    end
    if type(first) ~= "table" then return nil end
    for i = 1, #CODE_KEYS do
      if rawget(first, CODE_KEYS[i]) ~= nil then return CODE_KEYS[i] end
    end
  end

  -- The keys of a table that hold tables, sorted: a reading in a fixed order.
  -- (next, not pairs: a __pairs metamethod gets no say either.)
  local function table_keys(t)
    local keys = {}
    for k, v in next, t do
      if type(k) == "string" and type(v) == "table" then
        keys[#keys + 1] = k
      end
    end
    sort(keys)
    return keys
  end

  -- Whether the value v of key k (a table), at path name, is a list of the
  -- wrong type: k is a list's name in the catalogue and v no list. Then a
  -- bad_response failure says so.
  local function misnamed(r, k, v, name)
    if not list_names()[k] or is_list(v) then return false end
    add_broken(r, k .. " is an object, not a list", nil, bounded(name .. "[]"))
    return true
  end

  -- Result lists found without a catalogue row: any list of objects with a
  -- code field, in objects and in the items of other lists. name is the
  -- bounded path to node (nil at the top).
  local function discover(r, node, name, depth)
    if depth > 4 then return end
    if rawget(node, 1) == nil then
      if r.budget <= 0 then return end
      local keys = table_keys(node)
      for i = 1, #keys do
        local k = keys[i]
        local v, sub = rawget(node, k), bounded(name and name .. "." .. k or k)
        -- The bare lists of the answer are read once, by read_bare.
        if not (depth == 0 and IS_BARE[k]) and not misnamed(r, k, v, sub) then
          discover(r, v, sub, depth + 1)
        end
      end
      return
    end
    local list, n = bounded(name .. "[]"), len(node)
    local key = code_key(node)
    local plain = r.plain
    for i = 1, n do
      if r.budget <= 0 then return cut(r, n - i + 1, list) end
      r.budget = r.budget - 1
      local item
      if plain then item = node[i] else item = rawget(node, i) end
      if key then
        read_item(r, item, i, list, key, ID_PATHS)
      elseif type(item) == "table" and depth < 4 then
        local keys = table_keys(item)
        for j = 1, #keys do
          local k = keys[j]
          local v, sub = rawget(item, k), bounded(list .. "." .. k)
          if not misnamed(r, k, v, sub) and rawget(v, 1) ~= nil then
            discover(r, v, sub, depth + 1)
          end
        end
      end
    end
  end

  local function discovered(r, answer)
    for i = 1, #BARE_LISTS do
      if rawget(answer, BARE_LISTS[i]) ~= nil then r.ids = {} end
    end
    discover(r, answer, nil, 0)
    for i = 1, #BARE_LISTS do
      local name = BARE_LISTS[i]
      read_bare(r, rawget(answer, name), name .. "[]")
    end
  end

  return discovered
end
