-- imerr.api: the REST API catalogue, data centers, rates and limits.

do
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
end

do
-- The catalogue as Tencent's current pages describe it: data centers
-- (data/endpoints.tsv), the check_region action of 70016 and 70020
-- (data/actions.tsv), current limits with their pages (data/rates.tsv),
-- the APIs added since 2020, the limiters of recipients and of a group,
-- and the over-limit alert (callback.over_limit, limiter:observe).
local imerr = require "imerr"
local api = require "imerr.api"
local retry = require "imerr.retry"
local ratelimit = require "imerr.ratelimit"
local callback = require "imerr.callback"
local store = require "imerr.store"

local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
local ROOT = here .. "../"

-- A store on a clock that only moves when told.
local function fixed_store()
  local now = 1000
  return assert(store.memory { clock = function() return now end })
end

-- Writes text to a temporary file and returns its path.
local function temp(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

describe("api.endpoint", function()
  local CURRENT = {
    china = { "console.tim.qq.com", "adminapi.my-imcloud.com" },
    singapore = { "adminapisgp.im.qcloud.com", "adminapisgp.my-imcloud.com" },
    seoul = { "adminapikr.im.qcloud.com", "adminapikr.my-imcloud.com" },
    tokyo = { "adminapijpn.im.qcloud.com" },
    frankfurt = { "adminapiger.im.qcloud.com", "adminapiger.my-imcloud.com" },
    silicon_valley = { "adminapiusa.im.qcloud.com",
      "adminapiusa.my-imcloud.com" },
    jakarta = { "adminapiidn.im.qcloud.com", "adminapiidn.my-imcloud.com" },
  }

  it("gives host and backup host of every current data center", function()
    for region, want in pairs(CURRENT) do
      local e = assert(api.endpoint(region))
      assert.equal(region, e.region)
      assert.equal(want[1], e.host, region)
      assert.equal(want[2], e.backup, region)
      assert.equal("current", e.status)
      assert.truthy(e.page:match("^https://cloud%.tencent%.com/"), region)
      assert.truthy(e.updated:match("^%d%d%d%d%-%d%d%-%d%d"), region)
      assert.is_nil(e.dropped)
    end
    -- Tokyo: on every current page, with no backup domain listed.
    assert.equal("adminapijpn.im.qcloud.com", api.endpoint("tokyo").host)
    assert.is_nil(api.endpoint("tokyo").backup)
  end)

  it("keeps Mumbai only as legacy, with the date it was last seen", function()
    local e = assert(api.endpoint("mumbai"))
    assert.equal("legacy", e.status)
    assert.equal("adminapiind.im.qcloud.com", e.host)
    assert.equal("2024-07-09", e.dropped)
  end)

  it("iterates over every data center, fresh tables each time", function()
    local seen, n = {}, 0
    for region, e in api.endpoints() do
      n = n + 1
      assert.equal(region, e.region)
      seen[region] = e.status
    end
    assert.equal(8, n)
    for region in pairs(CURRENT) do assert.equal("current", seen[region]) end
    assert.equal("legacy", seen.mumbai)
    local a = api.endpoint("tokyo")
    a.host = "evil.example"
    assert.equal("adminapijpn.im.qcloud.com", api.endpoint("tokyo").host)
  end)

  it("answers nil and a message naming the regions for anything else", function()
    for _, bad in ipairs { "Tokyo", "india", "", ("x"):rep(1000), 1, true,
      {}, nil } do
      local e, err = api.endpoint(bad)
      assert.is_nil(e)
      assert.is_string(err)
      assert.truthy(err:find("tokyo", 1, true), err)
      assert.truthy(err:find("mumbai (legacy)", 1, true), err)
      assert.is_true(#err < 300)
    end
  end)

  it("refuses broken endpoint rows", function()
    local gen = dofile(ROOT .. "tools/gen_apis.lua")
    local head = "region\thost\tbackup\tstatus\tpage\tupdated\tbackup_page\t" ..
      "backup_updated\tdropped\n"
    local P = "https://cloud.tencent.com/document/product/269/2282"
    for _, case in ipairs {
      { "Tokyo\ta.b.com\t\tcurrent\t" .. P .. "\t2026-01-01\t\t\t\n", "region" },
      { "x\ta b\t\tcurrent\t" .. P .. "\t2026-01-01\t\t\t\n", "domain" },
      { "x\ta.com\t\tgone\t" .. P .. "\t2026-01-01\t\t\t\n", "status" },
      { "x\ta.com\t\tcurrent\thttp://x.example\t2026-01-01\t\t\t\n", "page" },
      { "x\ta.com\t\tlegacy\t" .. P .. "\t\t\t\t\n", "dropped" },
      { "x\ta.com\tb.com\tcurrent\t" .. P .. "\t2026-01-01\t\t\t\n", "backup" },
      { "x\ta.com\t\tcurrent\t" .. P .. "\tsoon\t\t\t\n", "date" },
    } do
      local path = temp(head .. case[1])
      local rows, err = gen.read_endpoints(path)
      os.remove(path)
      assert.is_nil(rows, case[2])
      assert.truthy(err:find(case[2], 1, true), err)
    end
  end)
end)

describe("70016 and 70020: the SDKAppID of another data center", function()
  it("hint action check_region, a fatal config error", function()
    for _, code in ipairs { 70016, 70020 } do
      local hint = retry.hint(code)
      assert.equal("check_region", hint.action, code)
      assert.equal("fatal", hint.class)
      assert.equal("config", hint.reason)
      assert.equal("check_region", imerr.lookup(code).hint.action)
    end
    -- Their neighbours keep theirs.
    assert.equal("fix_config", retry.hint(70014).action)
    assert.equal("fix_config", retry.hint(70009).action)
  end)

  it("is an action the matcher and reason hints know", function()
    local m = assert(imerr.matcher { action = "check_region" })
    local matched = {}
    for _, row in imerr.entries() do
      if m(row.code) then matched[#matched + 1] = row.code end
    end
    table.sort(matched)
    assert.same({ 70016, 70020 }, matched)
    assert.is_nil((imerr.matcher { action = "check_regoin" }))
    local h = assert(require("imerr._hint").reason_hint("config",
      "check_region"))
    assert.equal("check_region", h.action)
  end)

  it("comes from data/actions.tsv: an action missing there is refused", function()
    local data = dofile(ROOT .. "tools/imerr_data.lua")
    local rows = assert(data.read_codes(ROOT .. "data/codes.tsv"))
    local reasons = assert(data.read_reasons(ROOT .. "data/reasons.tsv"))
    local actions, order = data.read_actions(ROOT .. "data/actions.tsv")
    assert.is_true(actions.fatal.check_region)
    local listed = {}
    for _, a in ipairs(order) do listed[a.action] = true end
    assert.is_true(listed.check_region)
    -- Without the line, classes.tsv's check_region no longer fits.
    local f = assert(io.open(ROOT .. "data/actions.tsv", "rb"))
    local text = f:read("*a")
    f:close()
    local path = temp((text:gsub("\ncheck_region[^\n]*", "")))
    local fewer = assert(data.read_actions(path))
    os.remove(path)
    local map, err = data.read_classes(ROOT .. "data/classes.tsv", rows,
      reasons, fewer)
    assert.is_nil(map)
    assert.truthy(err:find("check_region does not fit", 1, true), err)
    for _, bad in ipairs {
      "action\tclass\tmeaning\nCheck\tfatal\tm\n",
      "action\tclass\tmeaning\nx\tsometimes\tm\n",
      "action\tclass\tmeaning\nx\tfatal\t\n",
      "action\tclass\tmeaning\nx\tfatal\tm\nx\tfatal\tm\n",
    } do
      path = temp(bad)
      local got, why = data.read_actions(path)
      os.remove(path)
      assert.is_nil(got)
      assert.is_string(why)
    end
  end)
end)

describe("current limits, each with its page and date", function()
  local function limits_of(path, kind)
    local out = {}
    for _, l in ipairs(api.get(path).limits or {}) do
      if l.kind == kind then out[#out + 1] = l end
    end
    return out
  end

  it("cite a Tencent page and its last-updated date", function()
    local n = 0
    for path, row in api.each() do
      for _, l in ipairs(row.limits or {}) do
        n = n + 1
        assert.truthy(l.page:match("^https://[%w.]*tencent"), path)
        assert.truthy(l.updated:match("^%d%d%d%d%-%d%d%-%d%d"), path)
        assert.is_string(l.text)
        assert.is_number(l.rate)
      end
    end
    assert.is_true(n >= 20)
  end)

  it("get_appid_group_list: 1 call a second", function()
    assert.equal(1, api.get("v4/group_open_http_svc/get_appid_group_list").rate)
    local l = limits_of("v4/group_open_http_svc/get_appid_group_list", "calls")
    assert.equal(1, #l)
    assert.equal("https://cloud.tencent.com/document/product/269/1614", l[1].page)
  end)

  it("send_broadcast_msg: per edition, the lowest as rate", function()
    local row = api.get("v4/group_open_http_svc/send_broadcast_msg")
    assert.equal(1, row.rate)
    local by_edition = {}
    for _, l in ipairs(limits_of(row.path, "calls")) do
      by_edition[l.edition] = l.rate
    end
    assert.same({ ultimate = 1, enterprise = 5 }, by_edition)
    assert.truthy(row.limit:find("Enterprise", 1, true))
  end)

  it("batchsendmsg: 200 calls and 200 recipients a second", function()
    local row = api.get("v4/openim/batchsendmsg")
    assert.equal(200, row.rate)
    assert.equal(200, row.recipient_rate)
    local l = limits_of(row.path, "recipients")
    assert.equal(1, #l)
    assert.truthy(l[1].text:find("12,000", 1, true))
    assert.is_nil(api.get("v4/openim/sendmsg").recipient_rate)
  end)

  it("send_group_msg: 40 messages a second per group", function()
    assert.equal(40, api.get("v4/group_open_http_svc/send_group_msg").group_rate)
  end)

  it("are checked against rest_apis.tsv when generated", function()
    local gen = dofile(ROOT .. "tools/gen_apis.lua")
    local apis = assert(gen.read_apis(ROOT .. "data/rest_apis.tsv"))
    local head = "api\tkind\trate\tedition\ttext\tpage\tupdated\n"
    local P = "https://cloud.tencent.com/document/product/269/1614"
    local API = "v4/group_open_http_svc/get_appid_group_list"
    for _, case in ipairs {
      { API .. "\tcalls\t2\t\tt\t" .. P .. "\t2025-12-15\n", "rate 1 in" },
      { "v4/a/b\tcalls\t1\t\tt\t" .. P .. "\t2025-12-15\n", "no such api" },
      { API .. "\tcalls\t1\t\tt\thttp://x.example\t2025-12-15\n", "page" },
      { API .. "\tcalls\t1\t\tt\t" .. P .. "\t\n", "date" },
      { API .. "\tcalls\t1\tgold\tt\t" .. P .. "\t2025-12-15\n", "edition" },
      { API .. "\tsometimes\t1\t\tt\t" .. P .. "\t2025-12-15\n", "kind" },
      { API .. "\tcalls\t-1\t\tt\t" .. P .. "\t2025-12-15\n", "a second" },
    } do
      local path = temp(head .. case[1])
      local ok, err = gen.read_rates(path, apis)
      os.remove(path)
      assert.is_nil(ok, case[2])
      assert.truthy(err:find(case[2], 1, true), err)
    end
  end)
end)

describe("the APIs Tencent added since", function()
  it("are catalogued with their pages", function()
    assert.equal(123, api.count)
    local by_area = {}
    for _, row in api.each() do
      by_area[row.area] = (by_area[row.area] or 0) + 1
    end
    assert.equal(12, by_area.official_account)
    assert.equal(4, by_area.robot)
    local send = api.get("v4/official_account_open_http_svc/send_official_account_msg")
    assert.is_false(send.idempotent)
    assert.equal("https://cloud.tencent.com/document/product/269/102298", send.doc)
    assert.is_true(api.get("v4/openim_robot_http_svc/create_robot").idempotent)
    for _, path in ipairs { "v4/stream_msg/send_c2c_stream_msg",
      "v4/stream_msg/send_group_stream_msg" } do
      local row = api.get(path)
      assert.is_false(row.idempotent)
      assert.is_nil(row.rate) -- the page gives a rate per stream message
      assert.equal("message", row.limits[1].kind)
      assert.equal(5, row.limits[1].rate)
    end
  end)
end)

describe("limiters of the second limits", function()
  it("recipients: batchsendmsg's 12,000 a minute, take(n) per call", function()
    local s = fixed_store()
    local calls = assert(ratelimit.for_api("v4/openim/batchsendmsg",
      { app = 1400000001, store = s }))
    local r = assert(ratelimit.for_api("v4/openim/batchsendmsg",
      { app = "1400000001", store = s, recipients = true }))
    assert.equal("imerr:rl:1400000001:v4/openim/batchsendmsg:recipients", r.key)
    assert.equal(200, r.rate)
    assert.equal(500, r.burst)
    assert.are_not.equal(calls.key, r.key)
    -- One call to 500 accounts goes; the next waits 2.5 s for its 500.
    assert.equal(0, r:take(500))
    assert.near(2.5, r:take(500), 1e-6)
    assert.equal(0, calls:take(1))
    local none, err = ratelimit.for_api("v4/openim/sendmsg",
      { app = 1, recipients = true })
    assert.is_nil(none)
    assert.truthy(err:find("no documented rate (recipients", 1, true), err)
    assert.is_truthy(ratelimit.for_api("v4/openim/sendmsg",
      { app = 1, recipients = true, rate = 10 }))
  end)

  it("group: 40 messages a second per group, one key per group", function()
    local s = fixed_store()
    local a = assert(ratelimit.for_api("v4/group_open_http_svc/send_group_msg",
      { app = 1, store = s, group = "@TGS#1" }))
    local b = assert(ratelimit.for_api("v4/group_open_http_svc/send_group_msg",
      { app = 1, store = s, group = "@TGS#2" }))
    assert.equal(40, a.rate)
    assert.equal(4, a.burst)
    assert.equal(
      "imerr:rl:1:v4/group_open_http_svc/send_group_msg:group:@TGS#1", a.key)
    for _ = 1, 4 do assert.equal(0, a:take()) end
    assert.truthy(a:take() > 0)
    assert.equal(0, b:take())
  end)

  it("refuses what is neither", function()
    local P = "v4/group_open_http_svc/send_group_msg"
    for _, opts in ipairs {
      { app = 1, recipients = "yes" }, { app = 1, group = "" },
      { app = 1, group = 42 }, { app = 1, group = "a\nb" },
      { app = 1, group = ("g"):rep(129) },
      { app = 1, group = "g", recipients = true },
    } do
      local l, err = ratelimit.for_api(P, opts)
      assert.is_nil(l)
      assert.is_string(err)
    end
  end)
end)

describe("Alert.RequestOverLimit", function()
  -- The page's own example (cloud.tencent.com/document/product/269/105418).
  local EXAMPLE = { CallbackCommand = "Alert.RequestOverLimit",
    ServiceName = "openim", Command = "batchsendmsg", Request = 510,
    Limit = 200 }

  it("is read by callback.over_limit", function()
    local a = assert(callback.over_limit(EXAMPLE, { SdkAppid = "1400000001" }))
    assert.equal("Alert.RequestOverLimit", a.alert)
    assert.equal("v4/openim/batchsendmsg", a.api)
    assert.equal(510, a.qps)
    assert.equal(200, a.limit)
    assert.near(2.55, a.ratio, 1e-9)
    assert.equal("1400000001", a.app)
    assert.truthy(api.get(a.api))
    local b = assert(callback.over_limit(EXAMPLE))
    assert.is_nil(b.app)
    -- The app as limiters key it: canonical, or nil when it is no SDKAppID.
    assert.equal("1400000001", assert(callback.over_limit(EXAMPLE,
      { SdkAppid = "01400000001" })).app)
    for _, bad in ipairs { 1.5, 1e300, 0 / 0, "4294967296", "x1", true } do
      assert.is_nil(assert(callback.over_limit(EXAMPLE,
        { SdkAppid = bad })).app, tostring(bad))
    end
    assert.equal("5", assert(callback.over_limit({
      CallbackCommand = "Alert.RequestOverLimit", ServiceName = "s",
      Command = "c", Request = "5", Limit = 0 })).qps .. "")
  end)

  it("answers nil and a message for any other body", function()
    local function with(k, v)
      local t = {}
      for key, value in pairs(EXAMPLE) do t[key] = value end
      t[k] = v
      return t
    end
    for _, bad in ipairs {
      '{"CallbackCommand":"Alert.RequestOverLimit"}', 42, nil,
      with("CallbackCommand", "State.StateChange"),
      with("ServiceName", nil), with("Command", "../x"),
      with("Request", -1), with("Request", 1.5), with("Limit", "many"),
      with("Limit", 0 / 0),
    } do
      local a, err = callback.over_limit(bad)
      assert.is_nil(a)
      assert.is_string(err)
      assert.is_true(#err < 200)
    end
  end)

  it("slows the limiters of its API and app before Tencent throttles", function()
    local s = fixed_store()
    local alert = assert(callback.over_limit(EXAMPLE, { SdkAppid = 1400000001 }))
    local calls = assert(ratelimit.for_api("v4/openim/batchsendmsg",
      { app = 1400000001, store = s }))
    local fleet = assert(ratelimit.for_api("v4/openim/batchsendmsg",
      { app = 1400000001, store = s }))
    local other_api = assert(ratelimit.for_api("v4/openim/sendmsg",
      { app = 1400000001, store = s }))
    local other_app = assert(ratelimit.for_api("v4/openim/batchsendmsg",
      { app = 1400000002, store = s }))
    local recipients = assert(ratelimit.for_api("v4/openim/batchsendmsg",
      { app = 1400000001, store = s, recipients = true }))
    assert.is_false(other_api:observe(alert))
    assert.is_false(other_app:observe(alert))
    assert.is_false(recipients:observe(alert))
    -- The app written with a leading zero is the same app.
    local zeros = assert(callback.over_limit(EXAMPLE,
      { SdkAppid = "01400000001" }))
    assert.is_false(other_app:observe(zeros))
    local own = assert(ratelimit.for_api("v4/openim/batchsendmsg",
      { app = "1400000001", store = fixed_store() }))
    assert.near(140, own:observe(zeros), 1e-9)
    assert.near(140, calls:observe(alert), 1e-9)
    assert.near(140, fleet:current_rate(), 1e-9)
    assert.equal(200, other_app:current_rate())
    -- A limiter of ratelimit.new knows no API: the caller chose to feed it.
    local plain = assert(ratelimit.new { rate = 100, store = s, key = "k" })
    assert.near(70, plain:observe(alert), 1e-9)
    -- An alert without the app (no query arguments) applies to any app.
    local anyapp = assert(callback.over_limit(EXAMPLE))
    assert.truthy(other_app:observe(anyapp) < 200)
  end)
end)
end
