/*
** imerr_sig: Tencent IM UserSig (TLS Sig API v2) and callback signatures,
** on OpenSSL's libcrypto (HMAC-SHA256, SHA-256, CRYPTO_memcmp) and zlib.
** Private to the Lua module imerr.sig_core, its tests and fuzz targets:
** not installed, not part of libimerr (imerr's core has no dependencies).
**
** Every function takes lengths and reads no further; none allocates but
** zlib's own state; none keeps state between calls (thread-safe).
*/
#ifndef IMERR_SIG_H
#define IMERR_SIG_H

#include <stddef.h>
#include <stdint.h>

/* Never exported from a module: imerr.sig_core exports its luaopen only. */
#if defined(__GNUC__) || defined(__clang__)
#define IMERR_SIG_API __attribute__((visibility("hidden")))
#else
#define IMERR_SIG_API
#endif

/* A real document is a few hundred bytes: inflating stops here. */
#define IMERR_SIG_DOC_MAX 4096
/* The longest UserSig read; longer text is malformed without decoding. */
#define IMERR_SIG_TEXT_MAX 8192
/* Limits of what imerr_sig_make signs (imerr.sig checks them first). */
#define IMERR_SIG_IDENTIFIER_MAX 32
#define IMERR_SIG_USERBUF_MAX 1024
#define IMERR_SIG_KEY_MAX 1024
/* The numbers of a document: 2^53 - 1, exact in every JSON reader. */
#define IMERR_SIG_NUMBER_MAX 9007199254740991ULL
/* Callback tokens and RequestTime texts, in bytes. */
#define IMERR_SIG_TOKEN_MAX 1024
#define IMERR_SIG_TIME_MAX 20

/* Results. The first six are verify's answers, in its order of checks. */
enum {
  IMERR_SIG_OK = 0,
  IMERR_SIG_MALFORMED,        /* not a UserSig document at all */
  IMERR_SIG_WRONG_SDKAPPID,   /* signed for another app */
  IMERR_SIG_WRONG_IDENTIFIER, /* signed for another user */
  IMERR_SIG_EXPIRED,          /* now > time + expire */
  IMERR_SIG_BAD_SIGNATURE,    /* TLS.sig is not the key's HMAC */
  IMERR_SIG_EINVAL,           /* make: an input out of its limits */
  IMERR_SIG_ECRYPTO           /* OpenSSL or zlib failed (memory) */
};

/* What imerr_sig_make signs. userbuf is left out when has_userbuf is 0. */
typedef struct {
  uint64_t sdkappid, time, expire;
  const char *key;
  size_t key_len;
  const char *identifier;
  size_t identifier_len;
  const unsigned char *userbuf;
  size_t userbuf_len;
  int has_userbuf;
} imerr_sig_input;

/* A parsed document. Its strings point into the imerr_sig_work. */
typedef struct {
  uint64_t sdkappid, time, expire;
  const unsigned char *identifier;
  size_t identifier_len;
  const unsigned char *userbuf_text; /* TLS.userbuf as written (base64) */
  size_t userbuf_text_len;
  const unsigned char *userbuf; /* and decoded */
  size_t userbuf_len;
  int has_userbuf;
  unsigned char sig[32];
  size_t sig_len; /* 32 for an HMAC-SHA256; anything else never matches */
} imerr_sig_doc;

/* Room for one verification (about 18 KB: on the stack is fine). */
typedef struct {
  unsigned char packed[IMERR_SIG_TEXT_MAX / 4 * 3];
  unsigned char text[IMERR_SIG_DOC_MAX];
  unsigned char strings[IMERR_SIG_DOC_MAX * 2];
  size_t used;
  imerr_sig_doc doc;
} imerr_sig_work;

/* What verify expects: the caller's app, key, user and clock. */
typedef struct {
  uint64_t sdkappid, now;
  const char *key;
  size_t key_len;
  const char *identifier;
  size_t identifier_len;
} imerr_sig_expect;

/*
** Makes a UserSig into out (cap bytes; IMERR_SIG_TEXT_MAX is always
** enough), its length in *len. IMERR_SIG_OK, IMERR_SIG_EINVAL or
** IMERR_SIG_ECRYPTO.
*/
IMERR_SIG_API int imerr_sig_make(const imerr_sig_input *in, char *out,
                                 size_t cap, size_t *len);

/*
** Checks a UserSig: IMERR_SIG_OK with the document in w->doc, or the
** first check that failed (the order of the enum). Any bytes are safe.
*/
IMERR_SIG_API int imerr_sig_verify(const char *usersig, size_t len,
                                   const imerr_sig_expect *ex,
                                   imerr_sig_work *w);

/*
** The steps of verify, for tests and fuzzing: unpack (Tencent's base64,
** then inflate, into w->text) and parse (a document into w->doc).
** IMERR_SIG_OK or IMERR_SIG_MALFORMED (or IMERR_SIG_ECRYPTO).
*/
IMERR_SIG_API int imerr_sig_unpack(const char *usersig, size_t len,
                                   imerr_sig_work *w, size_t *text_len);
IMERR_SIG_API int imerr_sig_parse(const unsigned char *text, size_t len,
                                  imerr_sig_work *w);

/*
** Packs any text as a UserSig (deflate at level, -1 for zlib's default,
** then Tencent's base64): how tests make documents of their own.
*/
IMERR_SIG_API int imerr_sig_pack(const unsigned char *text, size_t len,
                                 int level, char *out, size_t cap,
                                 size_t *out_len);

/* HMAC-SHA256 of a UserSig's signed text, for the document's fields. */
IMERR_SIG_API int imerr_sig_hmac(const char *key, size_t key_len,
                                 const imerr_sig_doc *doc,
                                 unsigned char mac[32]);

/*
** A callback's Sign: lowercase hex SHA-256 of the token followed by the
** RequestTime text. IMERR_SIG_EINVAL when either is longer than its MAX.
*/
IMERR_SIG_API int imerr_sig_callback_sign(const char *token, size_t token_len,
                                          const char *time, size_t time_len,
                                          char hex[64]);

/* 1 when sign is that Sign (compared in constant time), else 0. */
IMERR_SIG_API int imerr_sig_callback_check(const char *token, size_t token_len,
                                           const char *time, size_t time_len,
                                           const char *sign, size_t sign_len);

/*
** Standard base64 (with '=' padding) of len bytes: the encoded length,
** written into out only when it is at most cap.
*/
IMERR_SIG_API size_t imerr_sig_base64(const unsigned char *in, size_t len,
                                      char *out, size_t cap);

#endif
