-- imerr.sig against Tencent's Node library tls-sig-api-v2, both ways, with
-- the time fixed (spec/sig/oracle.js fakes the library's clock):
--   every UserSig imerr makes decodes, in the library's own code, to the
--   same document text (so the same TLS.sig) as the library's for the same
--   inputs; and every UserSig the library makes verifies in imerr, with
--   its fields, and is expired one second after time + expire.
-- usage (spec/sig/oracle.sh): lua oracle.lua LIBRARY_DIR
local sig = require "imerr.sig"

local lib = assert(arg[1], "usage: oracle.lua LIBRARY_DIR")

local function hex(s)
  return (s:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end
local function unhex(h)
  return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end))
end

-- Inputs, combined with strides so that each list meets every other.
local IDS = { "administrator", "xiaojun", "user_01", "a-b_c", "0",
  "1234567890", ("z"):rep(32), 'quote"and\\backslash', "with space",
  "~!@#$%^&*()+={}[]|:;'<>,.?/", "/slash/" }
local APPS = { 1400000000, 1, 4294967295, 20000123, 1600012345 }
local KEYS = { "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e",
  "k", "a key with spaces and symbols !@#", ("x"):rep(200) }
local EXPIRES = { 1, 60, 86400, 86400 * 180, 86400 * 365 * 50 }
local TIMES = { 0, 1, 1700000000, 2 ^ 31 + 5, 4102444800 }
local bytes = {}
for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
local USERBUFS = { false, "", "\0", "abc", table.concat(bytes),
  ("\255\0"):rep(512) }

local cases = {}
for i = 1, 240 do
  local function pick(list, stride)
    return list[(i * stride) % #list + 1]
  end
  cases[i] = { sdkappid = pick(APPS, 3), key = pick(KEYS, 5),
    identifier = pick(IDS, 1), expire = pick(EXPIRES, 7),
    now = pick(TIMES, 11), userbuf = pick(USERBUFS, 13) or nil }
end

-- imerr's sigs, into the cases file.
local path = os.tmpname()
local f = assert(io.open(path, "wb"))
local ours = {}
for i, c in ipairs(cases) do
  ours[i] = assert(sig.usersig(c))
  f:write(table.concat({ i, ("%d"):format(c.sdkappid), hex(c.key),
    hex(c.identifier), ("%d"):format(c.expire), ("%d"):format(c.now),
    c.userbuf and hex(c.userbuf) or "-", ours[i] }, "\t"), "\n")
end
f:close()

-- node runs without the sanitizer runtime the ASan build preloads.
local pipe = assert(io.popen(("env -u LD_PRELOAD node spec/sig/oracle.js " ..
  "%q %q"):format(lib, path)))
local output = pipe:read("*a")
local closed = pipe:close()
os.remove(path)
assert(closed and output ~= "", "node spec/sig/oracle.js failed")

local failures, same, identical, theirs, natives = {}, 0, 0, 0, 0
local function fail(msg) failures[#failures + 1] = msg end

-- A library's sig verifies in imerr with these fields, and expires.
local function check_theirs(where, s, c, userbuf)
  local o = { sdkappid = c.sdkappid, key = c.key, identifier = c.identifier,
    now = c.now }
  local t, why = sig.verify_usersig(s, o)
  if not t then return fail(where .. ": imerr refuses the library's sig: " .. why) end
  if t.identifier ~= c.identifier or t.sdkappid ~= c.sdkappid or
    t.time ~= c.now or t.expire ~= c.expire or t.userbuf ~= userbuf then
    return fail(where .. ": imerr reads other fields from the library's sig")
  end
  o.now = c.now + c.expire
  if not sig.verify_usersig(s, o) then
    return fail(where .. ": refused in its last second")
  end
  o.now = o.now + 1
  t, why = sig.verify_usersig(s, o)
  if t or why ~= "expired" then
    return fail(where .. ": not expired after time + expire: " .. tostring(why))
  end
  theirs = theirs + 1
end

for line in output:gmatch("[^\n]+") do
  local f1, f2, rest = line:match("^(%a+)\t(%d+)\t(.*)$")
  local i = tonumber(f2)
  if f1 == "same" then
    same = same + 1
    if rest == ours[i] then identical = identical + 1 end
    check_theirs("case " .. i, rest, cases[i], cases[i].userbuf)
  elseif f1 == "differ" then
    local a, b = rest:match("^(%x*)\t(%x*)$")
    fail(("case %d: documents differ:\n  library %s\n  imerr   %s"):format(i,
      unhex(a), unhex(b)))
  elseif f1 == "native" then
    local s, app, key, id, time, expire, userbuf = rest:match(
      "^(%S+)\t(%d+)\t(%x+)\t(%x+)\t(%d+)\t(%d+)\t(%x+)$")
    natives = natives + 1
    check_theirs("library PrivateMapKey " .. i, s, { sdkappid = tonumber(app),
      key = unhex(key), identifier = unhex(id), now = tonumber(time),
      expire = tonumber(expire) }, unhex(userbuf))
  else
    fail("oracle.js said: " .. line)
  end
end
if same + #failures < #cases then
  fail(("oracle.js answered %d cases of %d"):format(same, #cases))
end

print(("oracle under %s: %d of %d imerr sigs hold the library's document " ..
  "(%d byte for byte the same UserSig); %d library sigs verify in imerr " ..
  "(%d of them the library's own PrivateMapKey)"):format(
  rawget(_G, "jit") and rawget(_G, "jit").version or _VERSION, same, #cases,
  identical,
  theirs, natives))
for _, msg in ipairs(failures) do print("FAIL: " .. msg) end
os.exit(#failures == 0 and natives == 3 and 0 or 1)
