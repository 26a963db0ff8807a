-- policy:start: which request the attempts are for.
local retry = require "imerr.retry"

describe("policy:start", function()
  local policy = assert(retry.policy {})

  it("refuses options it does not know, so a misspelt api cannot repeat sendmsg",
    function()
      for _, opts in ipairs { { apl = "v4/openim/sendmsg" },
        { path = "v4/openim/sendmsg" }, { api = "v4/openim/sendmsg", x = 1 } } do
        local attempts, err = policy:start(opts)
        assert.is_nil(attempts)
        assert.truthy(err:find("unknown start option", 1, true), err)
      end
    end)

  it("takes api and idempotent", function()
    local attempts = assert(policy:start { api = "v4/openim/sendmsg" })
    local delay, why = attempts:next(70169)
    assert.is_nil(delay)
    assert.equal("ambiguous", why)
    attempts = assert(policy:start { api = "v4/openim/sendmsg", idempotent = true })
    assert.is_number((attempts:next(70169)))
    assert.is_number((assert(policy:start()):next(70169)))
  end)
end)
