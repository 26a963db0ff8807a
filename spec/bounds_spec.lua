-- Exact boundaries: an alert window's edge, and a backoff cap below the
-- base. Each test sits on the edge, so moving it by one step fails.
local alert = require "imerr.alert"
local retry = require "imerr.retry"

describe("alert window boundary", function()
  local function rules(more_than, window)
    return assert(alert.rules {
      { name = "r", match = { code = 9510 }, more_than = more_than, window = window },
    })
  end

  it("counts a code exactly one window after the oldest as outside it", function()
    local r = rules(1, 10)
    assert.same({}, r:observe(9510, 100))
    assert.same({}, r:observe(9510, 110)) -- 110 - 100 = window: outside
  end)

  it("counts a code just inside the window", function()
    local r = rules(1, 10)
    assert.same({}, r:observe(9510, 100))
    assert.same({ "r" }, r:observe(9510, 109.999))
  end)

  it("fires on more_than + 1 codes in the window, not on more_than", function()
    local r = rules(3, 60)
    assert.same({}, r:observe(9510, 0))
    assert.same({}, r:observe(9510, 1))
    assert.same({}, r:observe(9510, 2))
    assert.same({ "r" }, r:observe(9510, 59.5))
    -- 0 has left (60.5 - 0 > 60): 1, 2, 59.5, 60.5 are four within it.
    assert.same({ "r" }, r:observe(9510, 60.5))
    -- At 62 the oldest of the last four is 2: 62 - 2 = 60, the edge.
    assert.same({}, r:observe(9510, 62))
  end)

  it("fires at once with more_than = 0, whatever the window", function()
    local r = rules(0, 0.001)
    assert.same({ "r" }, r:observe(9510, 5))
    assert.same({ "r" }, r:observe(9510, 1e9))
  end)

  it("ignores codes the rule does not match", function()
    local r = rules(0, 60)
    assert.same({}, r:observe(70001, 1))
  end)
end)

describe("policy cap below the base", function()
  local function policy(jitter, r, opts)
    local o = { base = 2, throttle_base = 4, cap = 0.5, jitter = jitter,
      max_attempts = 10, random = function() return r end }
    for k, v in pairs(opts or {}) do o[k] = v end
    return assert(retry.policy(o))
  end

  it("caps every attempt's ceiling at cap with no jitter", function()
    local p = policy("none", 0)
    for attempt = 1, 9 do assert.equal(0.5, p:next(9510, attempt)) end
  end)

  it("draws full and equal jitter below cap", function()
    assert.equal(0.5, policy("full", 1):next(9510, 1))
    assert.equal(0, policy("full", 0):next(9510, 1))
    assert.equal(0.25, policy("equal", 0):next(9510, 1))
    assert.equal(0.5, policy("equal", 1):next(9510, 1))
  end)

  it("keeps decorrelated jitter at cap, not at base, when cap < base", function()
    -- U(base, min(cap, base * 3^n)) is empty when cap < base: the cap wins.
    assert.equal(0.5, policy("decorrelated", 0):next(9510, 1))
    assert.equal(0.5, policy("decorrelated", 1):next(9510, 3))
  end)

  it("caps the throttling base too", function()
    -- 60007 asks to reduce the rate: throttle_base (4) applies, then cap.
    assert.equal(0.5, policy("none", 0):next(60007, 1))
  end)

  it("lets a code's documented minimum wait win over the cap", function()
    -- 9506: at most 5 requests a second, so 0.2 s at least.
    assert.equal(0.2, policy("none", 0, { cap = 0.1 }):next(9506, 1))
    assert.equal(0.2, policy("full", 0, { cap = 0.1 }):next(9506, 1))
  end)

  it("uses the base itself when cap equals it", function()
    assert.equal(2, policy("none", 0, { cap = 2 }):next(9510, 1))
    assert.equal(2, policy("none", 0, { cap = 2 }):next(9510, 4))
  end)
end)

-- rest.check: every text it gives out is bounded and valid UTF-8, and a
-- reading cut by the item budget says how much it left out.
describe("rest.check's bounds", function()
  local rest = require "imerr.rest"
  local cjson = require "cjson"
  local valid_utf8 = require "valid_utf8"

  -- Every string in t (keys and values, nested), each at most MAX_INFO bytes
  -- of valid UTF-8.
  local function all_bounded(t, seen)
    seen = seen or {}
    if seen[t] then return end
    seen[t] = true
    for k, v in pairs(t) do
      for _, s in ipairs { k, v } do
        if type(s) == "string" then
          assert.truthy(#s <= rest.MAX_INFO, #s)
          assert.is_true(valid_utf8(s), s:sub(1, 40))
        elseif type(s) == "table" then
          all_bounded(s, seen)
        end
      end
    end
  end

  it("cuts a 3 MB RequestId of \\xff bytes to valid UTF-8 JSON", function()
    local text = '{"ActionStatus":"FAIL","ErrorCode":70001,"ErrorInfo":"x","RequestId":"' ..
      ("\255"):rep(3 * 1024 * 1024) .. '"}'
    local ok, err = rest.check(text, "v4/openim/sendmsg")
    assert.is_nil(ok)
    assert.equal(70001, err.code)
    assert.truthy(#err.request_id <= rest.MAX_INFO)
    assert.is_true(valid_utf8(err.request_id))
    assert.equal("...", err.request_id:sub(-3))
    local encoded = cjson.encode(err)
    assert.truthy(#encoded < 4 * rest.MAX_INFO, #encoded)
    assert.is_true(valid_utf8(encoded))
    assert.same(err, cjson.decode(encoded))
    -- A short one is kept as it is.
    ok, err = rest.check { ActionStatus = "FAIL", ErrorCode = 70001, RequestId = "r-7" }
    assert.is_nil(ok)
    assert.equal("r-7", err.request_id)
  end)

  it("bounds ids, accounts, infos, drop reasons and list names", function()
    local mb = ("\255\0x"):rep(400000)
    local answer = { ActionStatus = "FAIL", ErrorCode = 70001, ErrorInfo = mb,
      RequestId = mb, MsgDropReason = mb, MsgSeq = mb,
      ResultItem = { { To_Account = mb, ResultCode = 30001, ResultInfo = mb } },
      Fail_Account = { mb, mb .. "2" },
      [mb] = { { UserID = mb, ErrorCode = 70107, ErrorInfo = mb } } }
    for _, path in ipairs { "v4/sns/friend_add", false } do
      local ok, err = rest.check(answer, path or nil)
      assert.is_nil(ok)
      all_bounded(err)
      assert.is_true(#err.failures >= 3)
      for _, f in ipairs(err.failures) do
        if f.account then assert.equal(f.id, f.account) end
      end
    end
    -- And in an OK answer.
    answer.ActionStatus, answer.ErrorCode = "OK", 0
    local _, failures = rest.check(answer)
    all_bounded(failures)
    local dropped
    for _, f in ipairs(failures) do dropped = dropped or f.dropped end
    assert.truthy(#dropped <= rest.MAX_INFO and #dropped > 400)
    local text = cjson.encode(failures)
    assert.is_true(valid_utf8(text))
  end)

  it("keeps finite numeric ids as numbers, and no infinite or NaN id", function()
    local function ids(seq)
      local _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
        RecallRetList = { { MsgSeq = seq, RetCode = 10030 } } },
        "v4/group_open_http_svc/group_msg_recall")
      return failures[1].id
    end
    assert.equal(7, ids(7.0))
    assert.equal(2.5, ids(2.5))
    assert.equal(1e300, ids(1e300))
    assert.is_nil(ids(math.huge))
    assert.is_nil(ids(-math.huge))
    assert.is_nil(ids(0 / 0))
    -- cjson reads 1e999 as an infinity: it gives no id.
    local _, failures = rest.check('{"ActionStatus":"OK","ErrorCode":0,' ..
      '"MsgSeq":1e999,"MsgDropReason":"MsgFreqCtrl"}')
    assert.is_nil(failures[1].id)
    assert.equal("MsgFreqCtrl", failures[1].dropped)
    assert.truthy(cjson.encode(failures))
  end)

  describe("the item budget", function()
    local function list_of(n, item)
      local list = {}
      for i = 1, n do list[i] = item end
      return list
    end

    it("ends a cut list with a marker counting the items left out", function()
      -- A million failed items: the budget, then one marker.
      local list = list_of(1000000, { To_Account = "a", ErrorCode = 70107 })
      for _, path in ipairs { "v4/openim/query_online_status", false } do
        local answer, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
          ErrorList = list }, path or nil)
        assert.is_table(answer)
        assert.equal(rest.MAX_ITEMS + 1, #failures)
        local last = failures[#failures]
        assert.equal(1000000 - rest.MAX_ITEMS, last.truncated)
        assert.equal("bad_response", last.reason)
        assert.equal("ErrorList[]", last.list)
        assert.truthy(last.info:find("900000", 1, true), last.info)
        assert.is_nil(failures[#failures - 1].truncated)
        assert.equal(70107, failures[#failures - 1].code)
      end
    end)

    it("is a read-only constant, narrowed per call by max_items", function()
      assert.equal(100000, rest.MAX_ITEMS)
      local saved = rest.MAX_ITEMS
      rest.MAX_ITEMS = 1
      local _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
        Fail_Account = { "a", "b" } })
      rest.MAX_ITEMS = saved
      assert.equal(2, #failures)
      for _, bad in ipairs { 0, 1.5, 100001, "3", 0 / 0 } do
        local ok, err = rest.check({ ActionStatus = "OK" }, { max_items = bad })
        assert.is_nil(ok)
        assert.equal("invalid", err.reason)
      end
      local ok, err = rest.check({ ActionStatus = "OK" }, { max_item = 3 })
      assert.is_nil(ok)
      assert.matches('unknown check option "max_item"', err.info, 1, true)
    end)

    it("marks a list one item over the budget, not one at it", function()
      local max = 3
      local item = { To_Account = "a", ResultCode = 30001 }
      local _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
        ResultItem = list_of(3, item) }, { api = "v4/sns/friend_add", max_items = max })
      assert.equal(3, #failures)
      assert.is_nil(failures[3].truncated)
      _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
        ResultItem = list_of(4, item) }, { api = "v4/sns/friend_add", max_items = max })
      assert.equal(4, #failures)
      assert.equal(1, failures[4].truncated)
      -- Lists the budget never reached count too: a bare list after it.
      _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
        ResultItem = list_of(4, item), Fail_Account = { "x", "y" } },
        { api = "v4/sns/friend_add", max_items = max })
      assert.equal(3, failures[4].truncated)
      assert.equal("ResultItem[]", failures[4].list)
      -- And the marker reaches the error of a failed answer.
      local ok, err = rest.check({ ActionStatus = "FAIL", ErrorCode = 70001,
        ResultItem = list_of(10, item) }, { api = "v4/sns/friend_add", max_items = max })
      assert.is_nil(ok)
      assert.equal(7, err.failures[#err.failures].truncated)
    end)

    it("spends the budget on a bare list once, with or without the api", function()
      local max = 3
      for _, path in ipairs { "v4/sns/friend_add", false } do
        local _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
          Fail_Account = { "a", "b", "c", "d", "e" } }, { api = path or nil, max_items = max })
        assert.equal(4, #failures)
        assert.equal("c", failures[3].id)
        assert.equal(2, failures[4].truncated)
        assert.equal("Fail_Account[]", failures[4].list)
      end
    end)

    it("counts the entries left in nested lists", function()
      local max = 5
      local inner = { ContactItem = { To_Account = "c" }, ResultCode = 50001 }
      local outer = { ResultItem = list_of(3, inner) }
      local _, failures = rest.check({ ActionStatus = "OK", ErrorCode = 0,
        GroupResultItem = list_of(3, outer) },
        { api = "v4/recentcontact/create_contact_group", max_items = max })
      -- Read: outer 1, its 3 items, outer 2; left: outer 2's 3 items, outer 3.
      assert.equal(4, #failures)
      assert.equal(4, failures[4].truncated)
    end)

    it("makes a cut SomeError no partial success", function()
      local max = 2
      local ok, err = rest.check({ ActionStatus = "SomeError", ErrorCode = 0,
        ErrorList = list_of(3, { To_Account = "a", ErrorCode = 70107 }) },
        { api = "v4/openim/batchsendmsg", max_items = max })
      assert.is_nil(ok)
      assert.equal("bad_response", err.reason)
      assert.equal(1, err.failures[3].truncated)
    end)
  end)
end)
