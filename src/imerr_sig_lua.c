/*
** imerr.sig_core: src/imerr_sig.c for Lua (5.1, LuaJIT 2.1, 5.3, 5.4).
** Private: imerr.sig (lua/imerr/sig.lua) checks every option, then calls
** here; the checks below only keep a wrong call from reaching the C.
** Messages never carry a key, a token or a UserSig.
*/
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lauxlib.h"
#include "lua.h"

#include "imerr.h"
#include "imerr_sig.h"

#include "imerr_luaopen.h"

IMERR_LUAOPEN int luaopen_imerr_sig_core(lua_State *L);

/* An integer in [0, 2^53 - 1], as the document's numbers are. */
static uint64_t check_number(lua_State *L, int i) {
  lua_Number x = luaL_checknumber(L, i);
  if (!(x >= 0 && x <= (lua_Number)IMERR_SIG_NUMBER_MAX) ||
      (lua_Number)(uint64_t)x != x)
    luaL_argerror(L, i, "not an integer in [0, 2^53 - 1]");
  return (uint64_t)x;
}

/* A string argument, or NULL when it is anything else (no coercion). */
static const char *string_or_null(lua_State *L, int i, size_t *len) {
  if (lua_type(L, i) != LUA_TSTRING) return NULL;
  return lua_tolstring(L, i, len);
}

static const char *check_string(lua_State *L, int i, size_t *len) {
  const char *s = string_or_null(L, i, len);
  if (s == NULL) luaL_argerror(L, i, "string expected");
  return s;
}

static int failed(lua_State *L, int rc) {
  if (rc == IMERR_SIG_ECRYPTO)
    return luaL_error(L, "imerr.sig: OpenSSL or zlib failed (out of memory?)");
  return luaL_error(L, "imerr.sig: an input is out of its limits");
}

/* make(sdkappid, key, identifier, time, expire [, userbuf]) -> usersig */
static int l_make(lua_State *L) {
  imerr_sig_input in;
  char out[IMERR_SIG_TEXT_MAX];
  size_t len = 0;
  int rc;
  memset(&in, 0, sizeof in);
  in.sdkappid = check_number(L, 1);
  in.key = check_string(L, 2, &in.key_len);
  in.identifier = check_string(L, 3, &in.identifier_len);
  in.time = check_number(L, 4);
  in.expire = check_number(L, 5);
  if (!lua_isnoneornil(L, 6)) {
    in.userbuf = (const unsigned char *)check_string(L, 6, &in.userbuf_len);
    in.has_userbuf = 1;
  }
  rc = imerr_sig_make(&in, out, sizeof out, &len);
  if (rc != IMERR_SIG_OK) return failed(L, rc);
  lua_pushlstring(L, out, len);
  return 1;
}

static const char *const REASONS[] = {
    "ok",      "malformed",    "wrong_sdkappid", "wrong_identifier",
    "expired", "bad_signature"};

static void set_number(lua_State *L, const char *k, uint64_t v) {
  lua_pushinteger(L, (lua_Integer)v);
  lua_setfield(L, -2, k);
}

/*
** verify(usersig, sdkappid, key, identifier, now) -> the document's
** fields, or nil and a reason. A usersig that is no string is malformed.
*/
static int l_verify(lua_State *L) {
  imerr_sig_work w;
  imerr_sig_expect ex;
  size_t len = 0;
  const char *usersig = string_or_null(L, 1, &len);
  int rc;
  memset(&ex, 0, sizeof ex);
  ex.sdkappid = check_number(L, 2);
  ex.key = check_string(L, 3, &ex.key_len);
  ex.identifier = check_string(L, 4, &ex.identifier_len);
  ex.now = check_number(L, 5);
  rc = usersig ? imerr_sig_verify(usersig, len, &ex, &w) : IMERR_SIG_MALFORMED;
  if (rc > IMERR_SIG_BAD_SIGNATURE) return failed(L, rc);
  if (rc != IMERR_SIG_OK) {
    lua_pushnil(L);
    lua_pushstring(L, REASONS[rc]);
    return 2;
  }
  lua_createtable(L, 0, 5);
  lua_pushlstring(L, (const char *)w.doc.identifier, w.doc.identifier_len);
  lua_setfield(L, -2, "identifier");
  set_number(L, "sdkappid", w.doc.sdkappid);
  set_number(L, "time", w.doc.time);
  set_number(L, "expire", w.doc.expire);
  if (w.doc.has_userbuf) {
    lua_pushlstring(L, (const char *)w.doc.userbuf, w.doc.userbuf_len);
    lua_setfield(L, -2, "userbuf");
  }
  return 1;
}

/* callback_sign(token, time_text) -> the 64 hex digits of Sign */
static int l_callback_sign(lua_State *L) {
  size_t tl, nl;
  const char *token = check_string(L, 1, &tl), *time = check_string(L, 2, &nl);
  char hex[64];
  int rc = imerr_sig_callback_sign(token, tl, time, nl, hex);
  if (rc != IMERR_SIG_OK) return failed(L, rc);
  lua_pushlstring(L, hex, sizeof hex);
  return 1;
}

/* callback_check(token, time_text, sign) -> whether sign is the Sign */
static int l_callback_check(lua_State *L) {
  size_t tl = 0, nl = 0, sl = 0;
  const char *token = string_or_null(L, 1, &tl);
  const char *time = string_or_null(L, 2, &nl);
  const char *sign = string_or_null(L, 3, &sl);
  lua_pushboolean(L,
                  token && time && sign &&
                      imerr_sig_callback_check(token, tl, time, nl, sign, sl));
  return 1;
}

/* pack(text [, level]) -> text as a UserSig, or nil: for tests. */
static int l_pack(lua_State *L) {
  size_t len, n = 0;
  const char *s = check_string(L, 1, &len);
  int level = (int)luaL_optinteger(L, 2, -1);
  char out[IMERR_SIG_TEXT_MAX];
  if (imerr_sig_pack((const unsigned char *)s, len, level, out, sizeof out,
                     &n) != IMERR_SIG_OK)
    return 0;
  lua_pushlstring(L, out, n);
  return 1;
}

/* unpack(usersig) -> the document's text, or nil: for tests. */
static int l_unpack(lua_State *L) {
  imerr_sig_work w;
  size_t len = 0, n = 0;
  const char *s = string_or_null(L, 1, &len);
  if (s == NULL || imerr_sig_unpack(s, len, &w, &n) != IMERR_SIG_OK) return 0;
  lua_pushlstring(L, (const char *)w.text, n);
  return 1;
}

/* base64(bytes) -> standard base64, for tests. */
static int l_base64(lua_State *L) {
  size_t len;
  const char *s = check_string(L, 1, &len);
  char out[IMERR_SIG_TEXT_MAX];
  size_t n = imerr_sig_base64((const unsigned char *)s, len, out, sizeof out);
  if (n > sizeof out) return 0;
  lua_pushlstring(L, out, n);
  return 1;
}

/*
** hmac_sha256(key, text) and sha256(text) -> the raw digest: the bare
** OpenSSL calls imerr_sig makes, as baselines for bench/sig_bench.lua.
*/
static int l_hmac_sha256(lua_State *L) {
  size_t kl, tl;
  const char *key = check_string(L, 1, &kl), *s = check_string(L, 2, &tl);
  unsigned char md[32];
  unsigned int n = 0;
  luaL_argcheck(L, kl <= IMERR_SIG_KEY_MAX, 1, "too long");
  if (!HMAC(EVP_sha256(), key, (int)kl, (const unsigned char *)s, tl, md, &n))
    return failed(L, IMERR_SIG_ECRYPTO);
  lua_pushlstring(L, (const char *)md, n);
  return 1;
}

static int l_sha256(lua_State *L) {
  size_t tl;
  const char *s = check_string(L, 1, &tl);
  unsigned char md[32];
  unsigned int n = 0;
  if (!EVP_Digest(s, tl, md, &n, EVP_sha256(), NULL))
    return failed(L, IMERR_SIG_ECRYPTO);
  lua_pushlstring(L, (const char *)md, n);
  return 1;
}

static const luaL_Reg FUNCTIONS[] = {{"make", l_make},
                                     {"hmac_sha256", l_hmac_sha256},
                                     {"sha256", l_sha256},
                                     {"verify", l_verify},
                                     {"callback_sign", l_callback_sign},
                                     {"callback_check", l_callback_check},
                                     {"pack", l_pack},
                                     {"unpack", l_unpack},
                                     {"base64", l_base64},
                                     {NULL, NULL}};

/* The bounds the Lua side checks before it calls in. */
static const struct {
  const char *name;
  lua_Integer value;
} LIMITS[] = {{"DOC_MAX", IMERR_SIG_DOC_MAX},
              {"TEXT_MAX", IMERR_SIG_TEXT_MAX},
              {"IDENTIFIER_MAX", IMERR_SIG_IDENTIFIER_MAX},
              {"USERBUF_MAX", IMERR_SIG_USERBUF_MAX},
              {"KEY_MAX", IMERR_SIG_KEY_MAX},
              {"TOKEN_MAX", IMERR_SIG_TOKEN_MAX},
              {"TIME_MAX", IMERR_SIG_TIME_MAX}};

IMERR_LUAOPEN int luaopen_imerr_sig_core(lua_State *L) {
  size_t i;
  luaL_newlib(L, FUNCTIONS);
  lua_pushstring(L, IMERR_VERSION);
  lua_setfield(L, -2, "VERSION");
  for (i = 0; i < sizeof LIMITS / sizeof LIMITS[0]; i++) {
    lua_pushinteger(L, LIMITS[i].value);
    lua_setfield(L, -2, LIMITS[i].name);
  }
  return 1;
}
