/*
** imerr_sig: UserSig (TLS Sig API v2) and callback signatures. The
** formats are Tencent's (see imerr_sig.h); the checks are stricter than
** Tencent's own verifiers: a strict base64, a bounded inflate, a parser
** for exactly the document's shape, and a constant-time comparison.
*/
#define ZLIB_CONST
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "imerr_sig.h"

/* ---- base64 ---------------------------------------------------------- */

static const char DIGITS[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* The three characters that differ: standard base64 and Tencent's. */
typedef struct {
  char c62, c63, pad;
} alphabet;
static const alphabet STANDARD = {'+', '/', '='};
static const alphabet TENCENT = {'*', '-', '_'};

/* An encoder fed in pieces (deflate's output comes in chunks). */
typedef struct {
  const alphabet *a;
  char *out;
  size_t cap, len; /* len counts past cap: the caller checks */
  unsigned char carry[3];
  int ncarry;
} encoder;

static char digit(const alphabet *a, unsigned v) {
  return v < 62 ? DIGITS[v] : v == 62 ? a->c62 : a->c63;
}

static void emit(encoder *e, int n) {
  unsigned v =
      (unsigned)e->carry[0] << 16 | (unsigned)e->carry[1] << 8 | e->carry[2];
  char q[4];
  q[0] = digit(e->a, v >> 18 & 63);
  q[1] = digit(e->a, v >> 12 & 63);
  q[2] = n > 1 ? digit(e->a, v >> 6 & 63) : e->a->pad;
  q[3] = n > 2 ? digit(e->a, v & 63) : e->a->pad;
  if (e->len + 4 <= e->cap) memcpy(e->out + e->len, q, 4);
  e->len += 4;
}

static void encode(encoder *e, const unsigned char *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    e->carry[e->ncarry++] = p[i];
    if (e->ncarry == 3) {
      emit(e, 3);
      e->ncarry = 0;
    }
  }
}

static void encode_end(encoder *e) {
  if (e->ncarry == 0) return;
  memset(e->carry + e->ncarry, 0, (size_t)(3 - e->ncarry));
  emit(e, e->ncarry);
  e->ncarry = 0;
}

size_t imerr_sig_base64(const unsigned char *in, size_t len, char *out,
                        size_t cap) {
  encoder e;
  memset(&e, 0, sizeof e);
  e.a = &STANDARD;
  e.out = out;
  e.cap = (len + 2) / 3 * 4 <= cap ? cap : 0;
  encode(&e, in, len);
  encode_end(&e);
  return e.len;
}

static int value_of(const alphabet *a, unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == (unsigned char)a->c62) return 62;
  if (c == (unsigned char)a->c63) return 63;
  return -1;
}

/*
** Strict decoding: whole groups of four, padding only at the end, unused
** bits zero (one text per value). 1 with the length in *n, else 0.
*/
static int decode(const alphabet *a, const unsigned char *in, size_t len,
                  unsigned char *out, size_t cap, size_t *n) {
  size_t i, pad = 0, o = 0;
  if (len % 4 != 0) return 0;
  if (len > 0 && in[len - 1] == (unsigned char)a->pad) pad++;
  if (len > 1 && pad && in[len - 2] == (unsigned char)a->pad) pad++;
  if (len / 4 * 3 - pad > cap) return 0;
  for (i = 0; i < len; i += 4) {
    int k, last = i + 4 == len, have = last ? 4 - (int)pad : 4;
    unsigned v = 0;
    for (k = 0; k < 4; k++) {
      int d = k < have ? value_of(a, in[i + k]) : 0;
      if (d < 0) return 0;
      v = v << 6 | (unsigned)d;
    }
    if (have == 2 && (v & 0xFFFF) != 0) return 0;
    if (have == 3 && (v & 0xFF) != 0) return 0;
    out[o++] = (unsigned char)(v >> 16);
    if (have > 2) out[o++] = (unsigned char)(v >> 8);
    if (have > 3) out[o++] = (unsigned char)v;
  }
  *n = o;
  return 1;
}

/* ---- zlib -------------------------------------------------------------- */

int imerr_sig_pack(const unsigned char *text, size_t len, int level, char *out,
                   size_t cap, size_t *out_len) {
  z_stream z;
  unsigned char chunk[1024];
  encoder e;
  int rc;
  if (len > UINT_MAX || level < -1 || level > 9) return IMERR_SIG_EINVAL;
  memset(&z, 0, sizeof z);
  /* zlib's default window (the 0x78 header every Tencent library writes)
     and its smallest hash: a document is a few hundred bytes, and the
     default memLevel's 64 KB table costs 8 times the time to clear. */
  if (deflateInit2(&z, level, Z_DEFLATED, 15, 1, Z_DEFAULT_STRATEGY) != Z_OK)
    return IMERR_SIG_ECRYPTO;
  memset(&e, 0, sizeof e);
  e.a = &TENCENT;
  e.out = out;
  e.cap = cap;
  z.next_in = text;
  z.avail_in = (uInt)len;
  do {
    z.next_out = chunk;
    z.avail_out = sizeof chunk;
    rc = deflate(&z, Z_FINISH);
    encode(&e, chunk, sizeof chunk - z.avail_out);
  } while (rc == Z_OK && e.len <= cap);
  deflateEnd(&z);
  encode_end(&e);
  if (rc != Z_STREAM_END && rc != Z_OK) return IMERR_SIG_ECRYPTO;
  if (rc != Z_STREAM_END || e.len > cap) return IMERR_SIG_EINVAL;
  *out_len = e.len;
  return IMERR_SIG_OK;
}

/*
** Inflates a zlib stream into at most cap bytes, in one call: a stream
** that would give more (a zip bomb), ends early or is followed by more
** bytes is malformed.
*/
static int inflate_bounded(const unsigned char *in, size_t len,
                           unsigned char *out, size_t cap, size_t *n) {
  z_stream z;
  int rc;
  memset(&z, 0, sizeof z);
  z.next_in = in;
  z.avail_in = (uInt)len;
  if (inflateInit(&z) != Z_OK) return IMERR_SIG_ECRYPTO;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  rc = inflate(&z, Z_FINISH);
  *n = cap - z.avail_out;
  inflateEnd(&z);
  if (rc == Z_MEM_ERROR) return IMERR_SIG_ECRYPTO;
  if (rc != Z_STREAM_END || z.avail_in != 0) return IMERR_SIG_MALFORMED;
  return IMERR_SIG_OK;
}

int imerr_sig_unpack(const char *usersig, size_t len, imerr_sig_work *w,
                     size_t *text_len) {
  size_t n;
  if (len == 0 || len > IMERR_SIG_TEXT_MAX) return IMERR_SIG_MALFORMED;
  if (!decode(&TENCENT, (const unsigned char *)usersig, len, w->packed,
              sizeof w->packed, &n))
    return IMERR_SIG_MALFORMED;
  return inflate_bounded(w->packed, n, w->text, sizeof w->text, text_len);
}

/* ---- the document ------------------------------------------------------ */

/* A growing text in a fixed buffer; over its size it only counts. */
typedef struct {
  unsigned char *p;
  size_t cap, len;
} text;

static void put(text *t, const void *s, size_t n) {
  if (t->len <= t->cap && n <= t->cap - t->len) memcpy(t->p + t->len, s, n);
  t->len += n;
}

static void put_str(text *t, const char *s) {
  put(t, s, strlen(s));
}

static void put_number(text *t, uint64_t v) {
  char d[24];
  int i = (int)sizeof d;
  do {
    d[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  put(t, d + i, sizeof d - (size_t)i);
}

/* A JSON string as Node's JSON.stringify writes it (bytes >= 0x80 as is). */
static void put_json_string(text *t, const unsigned char *s, size_t n) {
  static const char HEX[] = "0123456789abcdef";
  size_t i;
  put(t, "\"", 1);
  for (i = 0; i < n; i++) {
    unsigned char c = s[i];
    char u[6] = {'\\', 'u', '0', '0', 0, 0};
    if (c == '"' || c == '\\') {
      u[1] = (char)c;
      put(t, u, 2);
    } else if (c >= 0x20) {
      put(t, &c, 1);
    } else {
      const char *short_form = c == '\b'   ? "\\b"
                               : c == '\f' ? "\\f"
                               : c == '\n' ? "\\n"
                               : c == '\r' ? "\\r"
                               : c == '\t' ? "\\t"
                                           : NULL;
      if (short_form) {
        put_str(t, short_form);
      } else {
        u[4] = HEX[c >> 4];
        u[5] = HEX[c & 15];
        put(t, u, 6);
      }
    }
  }
  put(t, "\"", 1);
}

/* The text that is signed, in Tencent's order. */
static void signed_text(text *t, const unsigned char *id, size_t id_len,
                        uint64_t sdkappid, uint64_t time, uint64_t expire,
                        const unsigned char *userbuf_text, size_t ub_len,
                        int has_userbuf) {
  put_str(t, "TLS.identifier:");
  put(t, id, id_len);
  put_str(t, "\nTLS.sdkappid:");
  put_number(t, sdkappid);
  put_str(t, "\nTLS.time:");
  put_number(t, time);
  put_str(t, "\nTLS.expire:");
  put_number(t, expire);
  put_str(t, "\n");
  if (has_userbuf) {
    put_str(t, "TLS.userbuf:");
    put(t, userbuf_text, ub_len);
    put_str(t, "\n");
  }
}

static int hmac(const char *key, size_t key_len, const text *t,
                unsigned char mac[32]) {
  unsigned int n = 0;
  if (key_len == 0 || key_len > IMERR_SIG_KEY_MAX || t->len > t->cap)
    return IMERR_SIG_EINVAL;
  if (!HMAC(EVP_sha256(), key, (int)key_len, t->p, t->len, mac, &n) || n != 32)
    return IMERR_SIG_ECRYPTO;
  return IMERR_SIG_OK;
}

int imerr_sig_hmac(const char *key, size_t key_len, const imerr_sig_doc *doc,
                   unsigned char mac[32]) {
  unsigned char buf[IMERR_SIG_DOC_MAX + 256];
  text t;
  t.p = buf;
  t.cap = sizeof buf;
  t.len = 0;
  signed_text(&t, doc->identifier, doc->identifier_len, doc->sdkappid,
              doc->time, doc->expire, doc->userbuf_text, doc->userbuf_text_len,
              doc->has_userbuf);
  return hmac(key, key_len, &t, mac);
}

static int number_ok(uint64_t v) {
  return v <= IMERR_SIG_NUMBER_MAX;
}

int imerr_sig_make(const imerr_sig_input *in, char *out, size_t cap,
                   size_t *len) {
  unsigned char sbuf[IMERR_SIG_DOC_MAX], dbuf[IMERR_SIG_DOC_MAX], mac[32];
  char ub[(IMERR_SIG_USERBUF_MAX + 2) / 3 * 4], sig[44];
  size_t ub_len = 0;
  text s, d;
  int rc;
  if (in->identifier_len == 0 ||
      in->identifier_len > IMERR_SIG_IDENTIFIER_MAX ||
      (in->has_userbuf && in->userbuf_len > IMERR_SIG_USERBUF_MAX) ||
      !number_ok(in->sdkappid) || !number_ok(in->time) ||
      !number_ok(in->expire))
    return IMERR_SIG_EINVAL;
  if (in->has_userbuf)
    ub_len = imerr_sig_base64(in->userbuf, in->userbuf_len, ub, sizeof ub);
  s.p = sbuf;
  s.cap = sizeof sbuf;
  s.len = 0;
  signed_text(&s, (const unsigned char *)in->identifier, in->identifier_len,
              in->sdkappid, in->time, in->expire, (const unsigned char *)ub,
              ub_len, in->has_userbuf);
  rc = hmac(in->key, in->key_len, &s, mac);
  if (rc != IMERR_SIG_OK) return rc;
  imerr_sig_base64(mac, sizeof mac, sig, sizeof sig);
  /* The document, in the order and spelling of Tencent's Node library. */
  d.p = dbuf;
  d.cap = sizeof dbuf;
  d.len = 0;
  put_str(&d, "{\"TLS.ver\":\"2.0\",\"TLS.identifier\":");
  put_json_string(&d, (const unsigned char *)in->identifier,
                  in->identifier_len);
  put_str(&d, ",\"TLS.sdkappid\":");
  put_number(&d, in->sdkappid);
  put_str(&d, ",\"TLS.time\":");
  put_number(&d, in->time);
  put_str(&d, ",\"TLS.expire\":");
  put_number(&d, in->expire);
  if (in->has_userbuf) {
    put_str(&d, ",\"TLS.userbuf\":\"");
    put(&d, ub, ub_len);
    put_str(&d, "\"");
  }
  put_str(&d, ",\"TLS.sig\":\"");
  put(&d, sig, sizeof sig);
  put_str(&d, "\"}");
  if (d.len > d.cap) return IMERR_SIG_EINVAL;
  return imerr_sig_pack(dbuf, d.len, Z_DEFAULT_COMPRESSION, out, cap, len);
}

/* ---- parsing ----------------------------------------------------------- */

typedef struct {
  const unsigned char *p, *end;
  imerr_sig_work *w;
} parser;

static void skip_space(parser *ps) {
  while (ps->p < ps->end &&
         (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

/* One more byte of a decoded string into the work area. */
static int out_byte(imerr_sig_work *w, unsigned c) {
  if (w->used >= sizeof w->strings) return 0;
  w->strings[w->used++] = (unsigned char)c;
  return 1;
}

static int out_utf8(imerr_sig_work *w, unsigned long cp) {
  if (cp < 0x80) return out_byte(w, (unsigned)cp);
  if (cp < 0x800)
    return out_byte(w, 0xC0 | (unsigned)(cp >> 6)) &&
           out_byte(w, 0x80 | (unsigned)(cp & 0x3F));
  if (cp < 0x10000)
    return out_byte(w, 0xE0 | (unsigned)(cp >> 12)) &&
           out_byte(w, 0x80 | (unsigned)(cp >> 6 & 0x3F)) &&
           out_byte(w, 0x80 | (unsigned)(cp & 0x3F));
  return out_byte(w, 0xF0 | (unsigned)(cp >> 18)) &&
         out_byte(w, 0x80 | (unsigned)(cp >> 12 & 0x3F)) &&
         out_byte(w, 0x80 | (unsigned)(cp >> 6 & 0x3F)) &&
         out_byte(w, 0x80 | (unsigned)(cp & 0x3F));
}

/* Four hex digits after "\u": the code unit, or -1. */
static long hex4(parser *ps) {
  long v = 0;
  int k;
  if (ps->end - ps->p < 4) return -1;
  for (k = 0; k < 4; k++) {
    unsigned char c = *ps->p++;
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return -1;
    v = v << 4 | d;
  }
  return v;
}

/* A \u escape (the "\u" read), a surrogate pair whole; lone halves fail. */
static int unicode_escape(parser *ps) {
  long hi = hex4(ps), lo;
  if (hi < 0 || (hi >= 0xDC00 && hi <= 0xDFFF)) return 0;
  if (hi < 0xD800 || hi > 0xDBFF) return out_utf8(ps->w, (unsigned long)hi);
  if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') return 0;
  ps->p += 2;
  lo = hex4(ps);
  if (lo < 0xDC00 || lo > 0xDFFF) return 0;
  return out_utf8(ps->w, 0x10000 + ((unsigned long)(hi - 0xD800) << 10 |
                                    (unsigned long)(lo - 0xDC00)));
}

/* A JSON string, decoded into the work area: *s and *n. */
static int parse_string(parser *ps, const unsigned char **s, size_t *n) {
  imerr_sig_work *w = ps->w;
  size_t start = w->used;
  if (ps->p >= ps->end || *ps->p != '"') return 0;
  ps->p++;
  for (;;) {
    unsigned char c;
    if (ps->p >= ps->end) return 0;
    c = *ps->p++;
    if (c == '"') break;
    if (c < 0x20) return 0;
    if (c != '\\') {
      if (!out_byte(w, c)) return 0;
      continue;
    }
    if (ps->p >= ps->end) return 0;
    c = *ps->p++;
    switch (c) {
    case '"':
    case '\\':
    case '/':
      break;
    case 'b':
      c = '\b';
      break;
    case 'f':
      c = '\f';
      break;
    case 'n':
      c = '\n';
      break;
    case 'r':
      c = '\r';
      break;
    case 't':
      c = '\t';
      break;
    case 'u':
      if (!unicode_escape(ps)) return 0;
      continue;
    default:
      return 0;
    }
    if (!out_byte(w, c)) return 0;
  }
  *s = w->strings + start;
  *n = w->used - start;
  return 1;
}

/* A non-negative integer of at most 2^53 - 1, no sign, fraction or exponent. */
static int parse_number(parser *ps, uint64_t *v) {
  uint64_t acc = 0;
  if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') return 0;
  if (*ps->p == '0') {
    ps->p++;
  } else {
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
      acc = acc * 10 + (uint64_t)(*ps->p++ - '0');
      if (acc > IMERR_SIG_NUMBER_MAX) return 0;
    }
  }
  *v = acc;
  return 1;
}

enum { F_VER, F_IDENTIFIER, F_SDKAPPID, F_TIME, F_EXPIRE, F_USERBUF, F_SIG };
static const char *const FIELDS[] = {
    "TLS.ver",    "TLS.identifier", "TLS.sdkappid", "TLS.time",
    "TLS.expire", "TLS.userbuf",    "TLS.sig"};
#define NFIELDS (int)(sizeof FIELDS / sizeof FIELDS[0])
#define REQUIRED (((1u << NFIELDS) - 1) & ~(1u << F_USERBUF))

static int field_of(const unsigned char *s, size_t n) {
  int f;
  for (f = 0; f < NFIELDS; f++)
    if (strlen(FIELDS[f]) == n && memcmp(FIELDS[f], s, n) == 0) return f;
  return -1;
}

/* The value of field f. */
static int parse_value(parser *ps, int f) {
  imerr_sig_doc *d = &ps->w->doc;
  const unsigned char *s;
  size_t n, room;
  switch (f) {
  case F_SDKAPPID:
    return parse_number(ps, &d->sdkappid);
  case F_TIME:
    return parse_number(ps, &d->time);
  case F_EXPIRE:
    return parse_number(ps, &d->expire);
  default:
    break;
  }
  if (!parse_string(ps, &s, &n)) return 0;
  room = sizeof ps->w->strings - ps->w->used;
  switch (f) {
  case F_VER:
    return n == 3 && memcmp(s, "2.0", 3) == 0;
  case F_IDENTIFIER:
    d->identifier = s;
    d->identifier_len = n;
    return 1;
  case F_USERBUF:
    d->userbuf_text = s;
    d->userbuf_text_len = n;
    d->userbuf = ps->w->strings + ps->w->used;
    d->has_userbuf = 1;
    if (!decode(&STANDARD, s, n, ps->w->strings + ps->w->used, room,
                &d->userbuf_len))
      return 0;
    ps->w->used += d->userbuf_len;
    return 1;
  default: /* F_SIG: a length other than 32 is kept, and never matches */
    if (!decode(&STANDARD, s, n, ps->w->strings + ps->w->used, room, &n))
      return 0;
    d->sig_len = n;
    if (n == sizeof d->sig) memcpy(d->sig, ps->w->strings + ps->w->used, n);
    return 1;
  }
}

int imerr_sig_parse(const unsigned char *json, size_t len, imerr_sig_work *w) {
  parser ps;
  unsigned seen = 0;
  ps.p = json;
  ps.end = json + len;
  ps.w = w;
  w->used = 0;
  memset(&w->doc, 0, sizeof w->doc);
  skip_space(&ps);
  if (ps.p >= ps.end || *ps.p++ != '{') return IMERR_SIG_MALFORMED;
  for (;;) {
    const unsigned char *key;
    size_t n, mark = w->used;
    int f;
    skip_space(&ps);
    if (!parse_string(&ps, &key, &n)) return IMERR_SIG_MALFORMED;
    f = field_of(key, n);
    w->used = mark; /* the key's bytes are not kept */
    if (f < 0 || seen & 1u << f) return IMERR_SIG_MALFORMED;
    seen |= 1u << f;
    skip_space(&ps);
    if (ps.p >= ps.end || *ps.p++ != ':') return IMERR_SIG_MALFORMED;
    skip_space(&ps);
    if (!parse_value(&ps, f)) return IMERR_SIG_MALFORMED;
    skip_space(&ps);
    if (ps.p >= ps.end) return IMERR_SIG_MALFORMED;
    if (*ps.p == '}') break;
    if (*ps.p++ != ',') return IMERR_SIG_MALFORMED;
  }
  ps.p++;
  skip_space(&ps);
  if (ps.p != ps.end || (seen & REQUIRED) != REQUIRED)
    return IMERR_SIG_MALFORMED;
  return IMERR_SIG_OK;
}

int imerr_sig_verify(const char *usersig, size_t len,
                     const imerr_sig_expect *ex, imerr_sig_work *w) {
  const imerr_sig_doc *d = &w->doc;
  unsigned char mac[32];
  size_t n;
  int rc = imerr_sig_unpack(usersig, len, w, &n);
  if (rc != IMERR_SIG_OK) return rc;
  rc = imerr_sig_parse(w->text, n, w);
  if (rc != IMERR_SIG_OK) return rc;
  if (d->sdkappid != ex->sdkappid) return IMERR_SIG_WRONG_SDKAPPID;
  if (d->identifier_len != ex->identifier_len ||
      memcmp(d->identifier, ex->identifier, ex->identifier_len) != 0)
    return IMERR_SIG_WRONG_IDENTIFIER;
  /* Tencent's rule: the last second still counts. No overflow: both
     numbers are at most 2^53 - 1. */
  if (ex->now > d->time + d->expire) return IMERR_SIG_EXPIRED;
  rc = imerr_sig_hmac(ex->key, ex->key_len, d, mac);
  if (rc != IMERR_SIG_OK) return rc;
  if (d->sig_len != sizeof mac || CRYPTO_memcmp(mac, d->sig, sizeof mac) != 0)
    return IMERR_SIG_BAD_SIGNATURE;
  return IMERR_SIG_OK;
}

/* ---- callbacks --------------------------------------------------------- */

int imerr_sig_callback_sign(const char *token, size_t token_len,
                            const char *time, size_t time_len, char hex[64]) {
  static const char HEX[] = "0123456789abcdef";
  unsigned char buf[IMERR_SIG_TOKEN_MAX + IMERR_SIG_TIME_MAX], md[32];
  unsigned int n = 0;
  int i;
  if (token_len > IMERR_SIG_TOKEN_MAX || time_len > IMERR_SIG_TIME_MAX)
    return IMERR_SIG_EINVAL;
  memcpy(buf, token, token_len);
  memcpy(buf + token_len, time, time_len);
  if (!EVP_Digest(buf, token_len + time_len, md, &n, EVP_sha256(), NULL) ||
      n != sizeof md) {
    OPENSSL_cleanse(buf, sizeof buf);
    return IMERR_SIG_ECRYPTO;
  }
  OPENSSL_cleanse(buf, token_len);
  for (i = 0; i < 32; i++) {
    hex[2 * i] = HEX[md[i] >> 4];
    hex[2 * i + 1] = HEX[md[i] & 15];
  }
  return IMERR_SIG_OK;
}

int imerr_sig_callback_check(const char *token, size_t token_len,
                             const char *time, size_t time_len,
                             const char *sign, size_t sign_len) {
  char hex[64];
  if (sign_len != sizeof hex) return 0;
  if (imerr_sig_callback_sign(token, token_len, time, time_len, hex) !=
      IMERR_SIG_OK)
    return 0;
  return CRYPTO_memcmp(hex, sign, sizeof hex) == 0;
}
