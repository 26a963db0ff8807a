// Tencent's Node library tls-sig-api-v2 as the oracle of imerr.sig, with
// its clock fixed: Date.now is replaced before each call (the library
// reads nothing else of the time).
//   node oracle.js LIBRARY_DIR CASES_FILE
// CASES_FILE: one case a line, tab-separated, text fields in hex:
//   index sdkappid key identifier expire time userbuf|- imerr_usersig
// Prints, one a line, tab-separated:
//   same   index library_usersig         the documents are the same text
//   differ index library_doc imerr_doc   they are not (both in hex)
//   native index usersig sdkappid key identifier time expire userbuf
//          (sigs of the library's own PrivateMapKey calls, userbuf in hex)
"use strict";
const fs = require("fs");
const zlib = require("zlib");
const path = require("path");
const { Api } = require(path.resolve(process.argv[2], "TLSSigAPIv2.js"));

const text = (hex) => Buffer.from(hex, "hex").toString("latin1");
const hex = (s) => Buffer.from(s, "latin1").toString("hex");

// The document inside a UserSig, decoded with Node's own base64 and zlib.
function documentOf(usersig) {
  const b64 = usersig.replace(/\*/g, "+").replace(/-/g, "/").replace(/_/g, "=");
  return zlib.inflateSync(Buffer.from(b64, "base64")).toString("latin1");
}

const realNow = Date.now;
function at(seconds, fn) {
  Date.now = () => seconds * 1000 + 999; // the library must drop the 999 ms
  try {
    return fn();
  } finally {
    Date.now = realNow;
  }
}

const out = [];
const lines = fs.readFileSync(process.argv[3], "latin1").split("\n");
for (const line of lines) {
  if (line === "") continue;
  const [index, sdkappid, key, identifier, expire, time, userbuf, ours] =
    line.split("\t");
  const api = new Api(Number(sdkappid), text(key));
  const theirs = at(Number(time), () =>
    userbuf === "-"
      ? api.genUserSig(text(identifier), Number(expire))
      : api.genSig(text(identifier), Number(expire), Buffer.from(userbuf, "hex")));
  const a = documentOf(theirs), b = documentOf(ours);
  out.push(a === b ? ["same", index, theirs].join("\t")
    : ["differ", index, hex(a), hex(b)].join("\t"));
}

// The library's own userbufs (TRTC's PrivateMapKey), numbered on from 1000.
const natives = [
  [1400000000, "k-native", "alice", 300, 1234, 255, null, 1700000000],
  [1400000001, "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb9",
    "room_user-1", 86400, 0, 42, "room-a", 1760000000],
  [20000001, "key with spaces", "u", 1, 4294967295, 1, null, 1000000000],
];
natives.forEach(([sdkappid, key, id, expire, room, priv, roomstr, time], i) => {
  const api = new Api(sdkappid, key);
  const s = at(time, () => roomstr === null
    ? api.genPrivateMapKey(id, expire, room, priv)
    : api.genPrivateMapKeyWithStringRoomID(id, expire, roomstr, priv));
  const doc = JSON.parse(documentOf(s));
  const userbuf = Buffer.from(doc["TLS.userbuf"], "base64").toString("hex");
  out.push(["native", 1000 + i, s, sdkappid, hex(key), hex(id), time, expire,
    userbuf].join("\t"));
});
process.stdout.write(out.join("\n") + "\n");
