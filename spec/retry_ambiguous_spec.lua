-- Retries that never carry a request out twice: hints say whether a
-- failure is ambiguous, and a policy for a request that is not idempotent
-- stops there.
local imerr = require "imerr"
local retry = require "imerr.retry"
local api = require "imerr.api"
-- data/ambiguous.tsv, read as the generator reads it (tools/ is on the
-- path of the specs).
local data = require "imerr_data"

local function next_of(p, code, attempt)
  return { p:next(code, attempt or 1) }
end

describe("ambiguous failures", function()
  it("are a reason-level fact of data/reasons.tsv", function()
    for name, r in pairs(imerr.reasons) do
      assert.is_boolean(r.ambiguous, name)
    end
    for _, name in ipairs { "timeout", "network", "server_error", "bad_response" } do
      assert.is_true(imerr.reasons[name].ambiguous, name)
    end
    for _, name in ipairs { "rate_limited", "overload", "conflict", "auth", "ok" } do
      assert.is_false(imerr.reasons[name].ambiguous, name)
    end
  end)

  it("are in every hint, with the codes whose text says otherwise", function()
    local exceptions = 0
    local by_code = {}
    for code, row in imerr.entries() do by_code[code] = row end
    local own = assert(data.read_ambiguous("data/ambiguous.tsv", by_code))
    for code, row in imerr.entries() do
      local want = own[code]
      if want == nil then
        want = imerr.reasons[row.hint.reason].ambiguous
      else
        exceptions = exceptions + 1
      end
      assert.equal(want, row.hint.ambiguous, code)
      assert.equal(row.hint, retry.hint(code))
    end
    assert.is_true(exceptions > 0)
    -- 9518 timed out before it was sent; 9520 while waiting for the answer.
    assert.is_false(imerr.lookup(9518).hint.ambiguous)
    assert.is_true(imerr.lookup(9520).hint.ambiguous)
    assert.equal("timeout", imerr.lookup(9518).hint.reason)
  end)

  it("include transport timeouts and errors, not rate limits", function()
    for _, status in ipairs { 500, 502, 504, 505 } do
      assert.is_true(retry.http_hint(status).ambiguous, status)
    end
    -- 408: the request never fully arrived; other 4xx refuse it.
    for _, status in ipairs { 408, 429, 503, 400, 404 } do
      assert.is_false(retry.http_hint(status).ambiguous, status)
    end
    assert.is_false(retry.UNKNOWN.ambiguous)
    assert.is_true(retry.BAD_RESPONSE.ambiguous)
  end)
end)

describe("a policy for a request that is not idempotent", function()
  local p = assert(retry.policy { idempotent = false, jitter = "none" })
  local plain = assert(retry.policy { jitter = "none" })

  it("stops at an ambiguous failure", function()
    assert.same({ nil, "ambiguous" }, next_of(p, retry.http_hint(504)))
    assert.same({ nil, "ambiguous" }, next_of(p, retry.http_hint(502)))
    assert.same({ nil, "ambiguous" }, next_of(p, 70169))
    assert.same({ nil, "ambiguous" }, next_of(p, "70202"))
    assert.same({ nil, "ambiguous" }, next_of(p, 9520))
    assert.same({ nil, "ambiguous" }, next_of(p, retry.BAD_RESPONSE))
    -- An idempotent policy retries the same failures.
    assert.is_number(plain:next(retry.http_hint(504), 1))
    assert.is_number(plain:next(70169, 1))
    assert.same({ nil, "fatal" }, next_of(plain, retry.BAD_RESPONSE))
  end)

  it("still retries failures that were refused before taking effect", function()
    assert.is_number(p:next(60007, 1))
    assert.is_number(p:next(retry.http_hint(429), 1))
    assert.is_number(p:next(retry.http_hint(503), 1))
    assert.is_number(p:next(30008, 1))
    assert.is_number(p:next(9518, 1))
    assert.same({ nil, "ok" }, next_of(p, 0))
    assert.same({ nil, "fatal" }, next_of(p, 70107))
    assert.same({ nil, "max_attempts" }, next_of(p, 60007, 3))
  end)

  it("takes idempotent from the catalogue through start{ api = path }", function()
    local a = assert(plain:start { api = "v4/openim/sendmsg" })
    assert.same({ nil, "ambiguous" }, { a:next(retry.http_hint(504)) })
    assert.is_number(a:next(60007))
    assert.equal(2, a:count())
    a = assert(plain:start { api = "/v4/profile/portrait_get?sdkappid=1" })
    assert.is_number(a:next(retry.http_hint(504)))
    -- An explicit idempotent wins over the catalogue and the policy.
    a = assert(plain:start { api = "v4/openim/sendmsg", idempotent = true })
    assert.is_number(a:next(retry.http_hint(504)))
    a = assert(p:start { idempotent = true })
    assert.is_number(a:next(retry.http_hint(504)))
    a = assert(p:start())
    assert.same({ nil, "ambiguous" }, { a:next(retry.http_hint(504)) })
  end)

  it("refuses bad options with a message", function()
    local none, err = retry.policy { idempotent = "no" }
    assert.is_nil(none)
    assert.truthy(err:find("idempotent", 1, true))
    for _, bad in ipairs { "v4/openim/sendmsg", 1, { api = "v4/no/such" },
      { api = 5 }, { idempotent = 1 } } do
      none, err = plain:start(bad)
      assert.is_nil(none)
      assert.is_string(err)
    end
  end)

  it("marks as not idempotent only APIs that write", function()
    local n = 0
    for path, row in api.each() do
      if not row.idempotent then
        n = n + 1
        assert.is_true(row.writes, path)
      end
    end
    assert.is_true(n > 0)
  end)
end)
