-- The REST API catalogue (data/rest_apis.tsv -> imerr.apis -> imerr.api),
-- checked against itself and against the code table.
local imerr = require "imerr"
local api = require "imerr.api"

local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
local ROOT = here .. "../"

-- The APIs whose pages state no call rate.
local NORATE = {
  ["v4/openim_robot_http_svc/send_stream_msg"] = true,
  ["v4/stream_msg/send_c2c_stream_msg"] = true,
  ["v4/stream_msg/send_group_stream_msg"] = true,
}

describe("the REST API catalogue", function()
  it("has one row per documented API, in path order", function()
    assert.is_true(api.count >= 100)
    local n, last = 0, ""
    for path, row in api.each() do
      n = n + 1
      assert.equal(path, row.path)
      assert.is_true(path > last, path)
      last = path
    end
    assert.equal(api.count, n)
    assert.is_nil(require("imerr.rest").api)
    assert.is_nil(require("imerr.rest").apis)
  end)

  it("gives every row its fields, consistent with each other", function()
    for path, row in api.each() do
      assert.truthy(path:match("^v4/[%w_]+/[%w_]+$"), path)
      assert.is_boolean(row.writes, path)
      assert.is_boolean(row.idempotent, path)
      if not row.writes then assert.is_true(row.idempotent, path) end
      -- A rate where the page states one (NORATE: the pages that state
      -- none, or only a rate per stream message).
      if row.rate == nil then
        assert.is_true(NORATE[path], path)
      else
        assert.is_number(row.rate, path)
        assert.is_true(row.rate > 0, path)
      end
      assert.is_string(row.why, path)
      assert.is_table(row.codes, path)
      assert.is_table(row.items, path)
    end
  end)

  it("names only codes of the table, or marks them as the API's own", function()
    local unknown = {}
    for path, row in api.each() do
      for _, code in ipairs(row.codes) do
        if not imerr.lookup(code) and not row.private[code] then
          unknown[#unknown + 1] = path .. ": " .. code
        end
      end
      for code in pairs(row.private) do
        local listed = false
        for _, c in ipairs(row.codes) do listed = listed or c == code end
        assert.is_true(listed, path .. ": private " .. code .. " not listed")
        assert.is_nil(imerr.lookup(code), path .. ": " .. code ..
          " is in the table, so it is not the API's own")
      end
    end
    assert.same({}, unknown)
  end)

  it("describes per-item lists that can be walked", function()
    local with_items = 0
    for path, row in api.each() do
      if #row.items > 0 then with_items = with_items + 1 end
      for _, spec in ipairs(row.items) do
        assert.equal(#spec.path, #spec.arrays, path)
        assert.is_true(spec.arrays[#spec.arrays], path)
        if not spec.bare then
          assert.is_string(spec.code, path)
          assert.is_true(#spec.id > 0, path)
        end
      end
    end
    assert.is_true(with_items >= 30)
  end)

  it("knows which APIs may not be repeated", function()
    assert.is_false(api.get("v4/openim/sendmsg").idempotent)
    assert.is_true(api.get("v4/profile/portrait_get").idempotent)
    assert.is_false(api.get("v4/openim/batchsendmsg").idempotent)
    assert.is_true(api.get("v4/openim/importmsg").idempotent)
    assert.equal(1, api.get("v4/group_open_http_svc/get_appid_group_list").rate)
    assert.equal(100, api.get("v4/im_open_login_svc/account_delete").rate)
  end)

  it("accepts a leading slash, a host and a query string", function()
    local row = api.get("v4/sns/friend_add")
    for _, form in ipairs {
      "/v4/sns/friend_add", "v4/sns/friend_add/",
      "https://console.tim.qq.com/v4/sns/friend_add?sdkappid=1&random=2",
      "console.tim.qq.com/v4/sns/friend_add", "/v4/sns/friend_add#x",
    } do
      assert.same(row, api.get(form), form)
    end
  end)

  it("answers nil and a message for anything else, never raising", function()
    for _, bad in ipairs { "", "v4/", "v4/sns/nope", "sns/friend_add",
      ("x"):rep(10000), "/v4/sns/friend_add\0" } do
      local row, err = api.get(bad)
      assert.is_nil(row)
      assert.is_string(err)
      assert.is_true(#err < 200)
    end
    for _, bad in ipairs { 42, true, {}, print } do
      local row, err = api.get(bad)
      assert.is_nil(row)
      assert.truthy(err:find("path string", 1, true))
    end
    assert.is_nil(api.get(nil))
  end)

  it("is what tools/gen_apis.lua makes of data/, row for row", function()
    local math_type = rawget(math, "type")
    local gen = dofile(ROOT .. "tools/gen_apis.lua")
    local data = dofile(ROOT .. "tools/imerr_data.lua")
    local known = gen.known(assert(data.load(ROOT .. "data")))
    local apis, endpoints = gen.read_all(ROOT .. "data", known)
    assert(apis, endpoints)
    local f = assert(io.open(ROOT .. "src/imerr_apis.inc", "rb"))
    local text = f:read("*a")
    f:close()
    assert.equal(text, gen.render(apis, endpoints))
    -- The C table gives back the generator's Lua values, every field of
    -- every nested table, with integers as integers.
    assert.equal(#apis, api.count)
    for _, want in ipairs(apis) do
      local row = api.get(want.path)
      assert.same(want, row)
      if math_type and row.rate then
        assert.equal("integer", math_type(row.rate))
      end
    end
  end)

  it("hands out plain, fresh tables that pairs, # and ipairs read", function()
    local a, b = api.get("v4/sns/friend_add"), api.get("v4/sns/friend_add")
    assert.are_not.equal(a, b)
    assert.is_nil(getmetatable(a))
    local keys = {}
    for k in pairs(a) do keys[#keys + 1] = k end
    table.sort(keys)
    assert.same({ "area", "codes", "doc", "idempotent", "items", "path",
      "private", "rate", "why", "writes" }, keys)
    assert.is_true(#a.codes > 0)
    local n = 0
    for i, code in ipairs(a.codes) do
      n = i
      assert.is_number(code)
    end
    assert.equal(#a.codes, n)
    a.items[1].path[1] = "Nope"
    assert.equal("ResultItem", b.items[1].path[1])
    assert.equal("ResultItem", api.get("v4/sns/friend_add").items[1].path[1])
  end)

  it("gives the de-duplication rules of Tencent's current pages", function()
    local send = api.get("v4/openim/sendmsg").dedupe
    assert.equal(120, send.window)
    assert.same({ "From_Account", "MsgSeq", "MsgRandom" }, send.fields)
    assert.same({ "MsgSeq", "MsgRandom" }, send.fill)
    assert.is_true(send.content)
    assert.equal("https://cloud.tencent.com/document/product/269/2282",
      send.page)
    assert.equal("2026-02-04", send.date)
    for _, path in ipairs { "v4/group_open_http_svc/send_group_msg",
      "v4/group_open_http_svc/send_broadcast_msg" } do
      local rule = api.get(path).dedupe
      assert.equal(300, rule.window, path)
      assert.same({ "Random" }, rule.fields, path)
    end
    assert.same({ "MsgList[].Random" },
      api.get("v4/group_open_http_svc/import_group_msg").dedupe.fields)
    local import = api.get("v4/openim/importmsg").dedupe
    assert.equal(math.huge, import.window)
    assert.same({ "MsgSeq", "MsgRandom", "MsgTimeStamp" }, import.fields)
    assert.is_false(import.content)
    -- Conflicting or same-second rules: no window to retry in.
    assert.is_nil(api.get("v4/openim/batchsendmsg").dedupe)
    assert.is_nil(api.get("v4/all_member_push/im_push").dedupe)
    local n = 0
    for path, row in api.each() do
      if row.dedupe then
        n = n + 1
        assert.is_true(row.writes, path)
        assert.truthy(row.dedupe.page:match("^https://"), path)
        assert.truthy(row.dedupe.date:match("^%d%d%d%d%-%d%d%-%d%d$"), path)
      end
    end
    assert.equal(6, n)
    local official = api.get("v4/official_account_open_http_svc/send_official_account_msg")
    assert.same({}, official.dedupe.fields)
    assert.is_true(official.dedupe.content)
    assert.equal(300, official.dedupe.window)
  end)

  it("holds every line of data/dedupe.tsv against the catalogue", function()
    local f = assert(io.open(ROOT .. "data/dedupe.tsv", "rb"))
    local header, lines = nil, 0
    for line in f:lines() do
      if line ~= "" and not line:match("^#") then
        if not header then
          header = line
        else
          lines = lines + 1
          local path = line:match("^([^\t]+)\t")
          local row = api.get(path)
          assert.is_table(row, path)
          assert.is_table(row.dedupe, path)
        end
      end
    end
    f:close()
    assert.equal(6, lines)
  end)

  it("refuses broken de-duplication lines", function()
    local gen = dofile(ROOT .. "tools/gen_apis.lua")
    local path = os.tmpname()
    local head = "api\tfields\tfill\tcontent\twindow\tpage\tdate\n"
    local good = "\tyes\t120\thttps://cloud.tencent.com/p\t2026-02-04\n"
    local cases = {
      { "v4/a/nope\tX\tX" .. good, "is not in rest_apis.tsv" },
      { "v4/a/reads\tX\tX" .. good, "only reads" },
      { "v4/a/w\tX[]\tX" .. good, "bad field" },
      { "v4/a/w\tX X\tX" .. good, "given twice" },
      { "v4/a/w\tX\tY" .. good, "is not a field" },
      { "v4/a/w\tX\tX\tmaybe\t120\thttps://cloud.tencent.com/p\t2026-02-04\n", "yes or no" },
      { "v4/a/w\t\t\tno\t120\thttps://cloud.tencent.com/p\t2026-02-04\n", "fields or content" },
      { "v4/a/w\tX\tX\tyes\t0\thttps://cloud.tencent.com/p\t2026-02-04\n", "window" },
      { "v4/a/w\tX\tX\tyes\t1.5\thttps://cloud.tencent.com/p\t2026-02-04\n", "window" },
      { "v4/a/w\tX\tX\tyes\t120\tpage\t2026-02-04\n", "Tencent's pages" },
      { "v4/a/w\tX\tX\tyes\t120\thttps://cloud.tencent.com/p\tFeb\n", "YYYY-MM-DD" },
      { "v4/a/w\tX\tX" .. good .. "v4/a/w\tX\tX" .. good, "duplicate" },
    }
    for _, case in ipairs(cases) do
      local f = assert(io.open(path, "wb"))
      f:write(head, case[1])
      f:close()
      local apis = {
        { path = "v4/a/w", writes = true }, { path = "v4/a/reads", writes = false },
      }
      local ok, err = gen.read_dedupe(path, apis)
      assert.is_nil(ok, case[2])
      assert.truthy(err:find(case[2], 1, true), err)
    end
    local f = assert(io.open(path, "wb"))
    f:write(head, "v4/a/w\tA[].R B\tA[].R\tno\tforever\thttps://cloud.tencent.com/p\t2026-02-04\n")
    f:close()
    local apis = assert(gen.read_dedupe(path, { { path = "v4/a/w", writes = true } }))
    assert.same({ fields = { "A[].R", "B" }, fill = { "A[].R" }, content = false,
      window = math.huge, page = "https://cloud.tencent.com/p",
      date = "2026-02-04" }, apis[1].dedupe)
    os.remove(path)
  end)

  it("refuses broken rows", function()
    local gen = dofile(ROOT .. "tools/gen_apis.lua")
    local path = os.tmpname()
    local head = "api\tarea\twrites\tidempotent\trate\titems\tanswer\tcodes\t" ..
      "limit\twhy\tdoc\n"
    local cases = {
      { "v4/a/b\tx\tno\tno\t1\t\t\t\t\tr\td\n", "only reads" },
      { "v4/a/b\tx\tyes\tmaybe\t1\t\t\t\t\tr\td\n", "yes or no" },
      { "v4/a/b\tx\tno\tyes\t1\tList[].Code\t\t\t\tr\td\n", "bad item list" },
      { "v4/a/b\tx\tno\tyes\t1\tA.B\t\t\t\tr\td\n", "bad item list" },
      { "v4/a/b\tx\tno\tyes\t1\t\t\t99999\t\tr\td\n", "not in data/codes.tsv" },
      { "v4/a/b\tx\tno\tyes\tfast\t\t\t\t\tr\td\n", "rate" },
      { "a/b\tx\tno\tyes\t1\t\t\t\t\tr\td\n", "v4/service/command" },
      { "v4/a/b\tx\tno\tyes\t1\t\tweird\t\t\tr\td\n", "answer kind" },
    }
    for _, case in ipairs(cases) do
      local f = assert(io.open(path, "wb"))
      f:write(head, case[1])
      f:close()
      local apis, err = gen.read_apis(path, function() return false end)
      assert.is_nil(apis, case[2])
      assert.truthy(err:find(case[2], 1, true), err)
    end
    os.remove(path)
    local ok = gen.parse_list("GroupResultItem[].ResultItem[].ResultCode@" ..
      "ContactItem.To_Account|ContactItem.ToGroupId")
    assert.same({ "GroupResultItem", "ResultItem" }, ok.path)
    assert.same({ { "ContactItem", "To_Account" }, { "ContactItem", "ToGroupId" } },
      ok.id)
    assert.same({ [0] = true }, gen.parse_list("L[].Result@Id fail=0").fail)
    assert.is_true(gen.parse_list("Fail_Account[]").bare)
    assert.is_nil(gen.parse_list("Fail_Account[] fail=0"))
  end)
end)
