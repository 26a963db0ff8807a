-- imerr --api: a REST API's row of the catalogue.
local cli = require "cli_run"

-- Runs the CLI; returns its stdout and stderr together, and the status.
local function run(...)
  local out, err, status = cli.run { ... }
  return out .. err, status
end

describe("imerr --api", function()
  it("shows whether a repeat is safe, the rate and the per-item lists", function()
    local out, status = run("--api", "/v4/openim/sendmsg")
    assert.equal(0, status)
    assert.truthy(out:find("v4/openim/sendmsg", 1, true), out)
    assert.truthy(out:find("NOT safe to repeat", 1, true), out)
    assert.truthy(out:find("rate: 200 calls/s", 1, true), out)
    assert.truthy(out:find("de-duplication: a resend of the same bytes is " ..
      "discarded within 120 s (key: From_Account MsgSeq MsgRandom, content;", 1,
      true), out)
    out = run("--api", "v4/sns/friend_import", "--api", "v4/profile/portrait_get")
    assert.truthy(out:find("ResultItem[].ResultCode@To_Account; Fail_Account[]", 1,
      true), out)
    assert.truthy(out:find("v4/profile/portrait_get", 1, true), out)
  end)

  it("says when a page states no rate, and the second limits", function()
    local out, status = run("--api", "v4/stream_msg/send_c2c_stream_msg",
      "--api", "v4/openim/batchsendmsg", "--api",
      "v4/group_open_http_svc/send_group_msg")
    assert.equal(0, status)
    assert.truthy(out:find("rate: not stated (continuation", 1, true), out)
    assert.is_nil(out:find("nil", 1, true), out)
    assert.truthy(out:find("also: 200 recipients/s", 1, true), out)
    assert.truthy(out:find("also: 40 messages/s per group", 1, true), out)
    out = run("--json", "--api", "v4/openim/batchsendmsg")
    assert.equal(200, require("cjson").decode(out).recipient_rate)
  end)

  it("writes one JSON object per API", function()
    local out, status = run("--json", "--api", "v4/all_member_push/im_push")
    assert.equal(0, status)
    local row = require("cjson").decode(out)
    assert.equal("v4/all_member_push/im_push", row.path)
    assert.is_false(row.idempotent)
    assert.equal(1, row.rate)
    assert.truthy(row.codes:find("90047", 1, true))
    assert.equal(require("cjson").null, row.dedupe)
    row = require("cjson").decode((run("--json", "--api", "v4/openim/importmsg")))
    assert.truthy(row.dedupe:find("discarded at any time (key: MsgSeq MsgRandom " ..
      "MsgTimeStamp;", 1, true), row.dedupe)
  end)

  it("exits 1 for an unknown API and 2 when mixed with codes", function()
    local out, status = run("--api", "v4/no/such")
    assert.equal(1, status)
    assert.truthy(out:find("unknown api", 1, true), out)
    local _
    _, status = run("--api", "v4/openim/sendmsg", "70001")
    assert.equal(2, status)
    _, status = run("--api")
    assert.equal(2, status)
  end)
end)
