-- Sending exactly once, in a real nginx started by spec/nginx/run.sh:
-- sendmsg through the proxy to a mock that de-duplicates as Tencent
-- documents (sender, MsgSeq, MsgRandom and the content's CRC32, 120 s)
-- and fails attempts after or before taking the message. The proxy as it
-- was (/once-off/: no resend after an ambiguous failure) loses the
-- messages that never got through; a client resending on its own
-- duplicates those that did; the proxy with prepared requests (/once/)
-- delivers each once. The counts go to $IMERR_REPORT (run.sh prints them).
local cjson = require "cjson"
local client = require "nginx.client"

local BASE, MOCK, RUN, app = client.BASE, client.MOCK, client.RUN, client.app
local request = client.request

local N = 300
-- The faults of a message's upstream attempts, by message in turn (then
-- every attempt succeeds): before or after the message was taken, once
-- or twice.
local MIX = { "drop_before", "commit_drop", "commit_cut",
  "drop_before,commit_cut", "ok", "commit_drop,drop_before" }

local function message(i)
  return cjson.encode { To_Account = "bob", MsgBody = { {
    MsgType = "TIMTextElem", MsgContent = { Text = "message " .. i } } } }
end

-- Sends the N messages through the proxy at prefix; a failed answer is
-- sent again by the client up to resends times. Returns the mock's counts
-- and the answers the client got, by status.
local function send_all(name, prefix, resends)
  local tag = ("once-%s-%s-"):format(name, RUN)
  local answers, sdkappid = {}, app()
  for i = 1, N do
    local url = ("%s%s/v4/openim/sendmsg?scenario=dedupe&id=%s%d&faults=%s%s")
      :format(BASE, prefix, tag, i, MIX[(i - 1) % #MIX + 1], sdkappid)
    local body = message(i)
    for _ = 0, resends do
      local status = request(url, body)
      answers[status] = (answers[status] or 0) + 1
      if status == 200 then break end
    end
  end
  local _, text = request(("%s/mock/deliveries?ids=%s&n=%d"):format(MOCK,
    tag, N))
  local counts = cjson.decode(text)
  counts.answered_ok = answers[200] or 0
  return counts, answers
end

local function report(rows)
  local lines = { ("exactly once: %d sendmsg through the proxy, upstream " ..
    "faults by message in turn: %s"):format(N, table.concat(MIX, " | ")),
    ("  %-34s %9s %10s %5s %9s %11s"):format("", "delivered", "duplicates",
      "lost", "discarded", "client 200s") }
  for _, r in ipairs(rows) do
    local c = r[2]
    lines[#lines + 1] = ("  %-34s %9d %10d %5d %9d %11d"):format(r[1],
      c.delivered, c.duplicates, c.lost, c.discarded, c.answered_ok)
  end
  local text = table.concat(lines, "\n") .. "\n"
  local path = os.getenv("IMERR_REPORT")
  local f = path and io.open(path, "ab")
  if f then
    f:write(text)
    f:close()
  else
    io.write(text)
  end
end

local function stats(id)
  local _, text = request(MOCK .. "/mock/stats?id=" .. id)
  return cjson.decode(text)
end

describe("sending exactly once", function()
  it("delivers every message once where the proxy before lost or doubled some", function()
    local old = send_all("old", "/once-off", 0)
    local resend = send_all("resend", "/once-off", 2)
    local new = send_all("new", "/once", 0)
    report {
      { "before (no resend after ambiguity)", old },
      { "before, the client resending", resend },
      { "prepared request, resent", new },
    }
    -- A third of the messages meet a drop before Tencent took them.
    assert.same({ 200, 0, 100 }, { old.delivered, old.duplicates, old.lost })
    -- The client's copies carry new random keys: Tencent delivers them.
    assert.same({ 300, 200, 0 },
      { resend.delivered, resend.duplicates, resend.lost })
    assert.same({ 300, 0, 0 }, { new.delivered, new.duplicates, new.lost })
    assert.equal(N, new.answered_ok)
    -- The copies of messages that got through were discarded, not sent.
    assert.equal(200, new.discarded)
  end)

  it("sends the same bytes on every attempt, the key filled once", function()
    local id = "once-bytes-" .. RUN
    local body = '{"To_Account":"bob","MsgBody":[{"MsgType":"TIMTextElem",' ..
      '"MsgContent":{"Text":"same"}}]}'
    local status = request(("%s/once/v4/openim/sendmsg?scenario=dedupe&id=%s" ..
      "&faults=commit_cut,drop_before%s"):format(BASE, id, app()), body)
    assert.equal(200, status)
    local s = stats(id)
    assert.equal(3, s.attempts)
    assert.equal(s.bodies[1], s.bodies[2])
    assert.equal(s.bodies[1], s.bodies[3])
    local sent = cjson.decode(s.bodies[1])
    assert.is_number(sent.MsgRandom)
    assert.is_number(sent.MsgSeq)
    -- The client's bytes, with the key written in after the brace.
    assert.equal(body, (s.bodies[1]:gsub('"MsgRandom":%d+,', "")
      :gsub('"MsgSeq":%d+,', "")))
    -- A key the client set is kept.
    local mine = '{"MsgRandom":7,"MsgSeq":8,"MsgBody":[]}'
    id = id .. "-mine"
    status = request(("%s/once/v4/openim/sendmsg?scenario=dedupe&id=%s" ..
      "&faults=drop_before%s"):format(BASE, id, app()), mine)
    assert.equal(200, status)
    assert.same({ mine, mine }, stats(id).bodies)
  end)

  it("draws keys of its own in each worker", function()
    -- The mock listens with reuseport: 40 connections reach every worker.
    -- Workers forked with one generator state would draw the same
    -- numbers; each is seeded anew, from its pid.
    local by_worker, workers = {}, 0
    for _ = 1, 40 do
      local _, text = request(MOCK .. "/worker")
      local pid, draw = text:match("^(%d+) %S+ (%d+)")
      assert.truthy(pid, text)
      if not by_worker[pid] then
        by_worker[pid], workers = {}, workers + 1
      end
      by_worker[pid][#by_worker[pid] + 1] = draw
    end
    assert.is_true(workers >= 2)
    local owner = {}
    for pid, draws in pairs(by_worker) do
      for _, d in ipairs(draws) do
        assert.is_true(owner[d] == nil or owner[d] == pid, d)
        owner[d] = pid
      end
    end
  end)

  it("refuses a body it cannot prepare, sending nothing", function()
    local id = "once-junk-" .. RUN
    local status, text = request(("%s/once/v4/openim/sendmsg?scenario=dedupe" ..
      "&id=%s%s"):format(BASE, id, app()), "not json")
    assert.equal(400, status)
    assert.equal("bad_body", cjson.decode(text).reason)
    assert.equal(0, stats(id).attempts)
  end)

  it("resends inside the window only: the mock would show a late copy", function()
    -- The answer comes after 1 s, past /fault/'s 0.4 s attempt timeout,
    -- and the proxy resends. Inside Tencent's 120 s the copy is
    -- discarded; with the mock's window shortened to 0.2 s the same
    -- resend is a second message: what the policy's window rules out.
    local function late(id, window)
      request(("%s/fault/v4/openim/sendmsg?scenario=dedupe&id=%s" ..
        "&faults=commit_late,commit_late%s%s"):format(BASE, id,
        window and "&window=" .. window or "", app()), '{"MsgBody":[]}')
      return stats(id)
    end
    local inside = late("once-late-" .. RUN)
    assert.is_true(inside.attempts >= 2)
    assert.equal(1, inside.delivered)
    assert.equal(inside.attempts - 1, inside.discarded)
    local past = late("once-past-" .. RUN, 0.2)
    assert.is_true(past.attempts >= 2)
    assert.equal(past.attempts, past.delivered)
  end)
end)
