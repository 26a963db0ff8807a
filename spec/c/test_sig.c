/*
** src/imerr_sig.c in C: known answers (Tencent's callback page, Tencent's
** Node library, RFC 4648), and the bytes a Lua caller cannot easily make:
** zlib streams with trailing bytes, raw deflate, gzip, a preset
** dictionary, bombs, every prefix of a UserSig, oversized keys. Then
** the same calls from four threads at once (no state is shared: the
** ThreadSanitizer stage runs this too).
*/
#define _POSIX_C_SOURCE 200112L /* pthreads */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

#include "imerr_sig.h"

static int failures, checks;

#define CHECK(cond)                                                            \
  do {                                                                         \
    checks++;                                                                  \
    if (!(cond)) {                                                             \
      failures++;                                                              \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

static const char KEY[] =
    "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
/* Tencent's Node library: genUserSig("xiaojun", 15552000) at 1700000000. */
static const char NODE_SIG[] =
    "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwhWZiflZpXlQqeKU7MSCgswUJStDEwMo"
    "gMiUZOamKlkZmqOKplYUZBaBxE1NTY3gosWZ6UpWSj5ljuYp*p7l5unBxXnF2WVhVU4uAf7O"
    "zi5JpX7O5SbuHuUhzgZJmQXaTia2SrUAohcx8g__";
static const char NODE_DOC[] =
    "{\"TLS.ver\":\"2.0\",\"TLS.identifier\":\"xiaojun\",\"TLS.sdkappid\":"
    "1400000000,\"TLS.time\":1700000000,\"TLS.expire\":15552000,\"TLS.sig\":"
    "\"LvA7d/Iw7gSsnskvVzBDPOCCDbuNCw4GHwTC0bip+B4=\"}";

static imerr_sig_work work;

static imerr_sig_expect expect(uint64_t now) {
  imerr_sig_expect ex;
  ex.sdkappid = 1400000000;
  ex.now = now;
  ex.key = KEY;
  ex.key_len = strlen(KEY);
  ex.identifier = "xiaojun";
  ex.identifier_len = 7;
  return ex;
}

static int verify(const char *s, size_t n, uint64_t now) {
  imerr_sig_expect ex = expect(now);
  return imerr_sig_verify(s, n, &ex, &work);
}

/* Standard base64 with Tencent's three characters. */
static size_t tencent64(const unsigned char *in, size_t n, char *out,
                        size_t cap) {
  size_t len = imerr_sig_base64(in, n, out, cap), i;
  if (len > cap) return len;
  for (i = 0; i < len; i++) {
    if (out[i] == '+') out[i] = '*';
    else if (out[i] == '/') out[i] = '-';
    else if (out[i] == '=') out[i] = '_';
  }
  return len;
}

/* NODE_DOC deflated with window bits wbits (zlib, raw or gzip), then
   extra bytes appended, as a UserSig in out. */
static size_t odd_stream(int wbits, const char *extra, size_t extra_len,
                         char *out) {
  unsigned char z[1024];
  z_stream s;
  size_t n;
  memset(&s, 0, sizeof s);
  deflateInit2(&s, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY);
  s.next_in = (const unsigned char *)NODE_DOC;
  s.avail_in = (uInt)strlen(NODE_DOC);
  s.next_out = z;
  s.avail_out = sizeof z;
  deflate(&s, Z_FINISH);
  n = sizeof z - s.avail_out;
  deflateEnd(&s);
  memcpy(z + n, extra, extra_len);
  return tencent64(z, n + extra_len, out, IMERR_SIG_TEXT_MAX);
}

static void test_known_answers(void) {
  char hex[64], out[IMERR_SIG_TEXT_MAX];
  size_t n = 0;
  imerr_sig_input in;
  static const char *const RFC[][2] = {{"", ""},
                                       {"f", "Zg=="},
                                       {"fo", "Zm8="},
                                       {"foo", "Zm9v"},
                                       {"foob", "Zm9vYg=="},
                                       {"fooba", "Zm9vYmE="},
                                       {"foobar", "Zm9vYmFy"}};
  size_t i;
  CHECK(imerr_sig_callback_sign("xxxxyyyy", 8, "1669872112", 10, hex) ==
        IMERR_SIG_OK);
  CHECK(memcmp(hex,
               "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d7"
               "60d484061",
               64) == 0);
  CHECK(imerr_sig_callback_check("xxxxyyyy", 8, "1669872112", 10, hex, 64));
  CHECK(!imerr_sig_callback_check("xxxxyyyy", 8, "1669872113", 10, hex, 64));
  CHECK(!imerr_sig_callback_check("xxxxyyyy", 8, "1669872112", 10, hex, 63));
  for (i = 0; i < sizeof RFC / sizeof RFC[0]; i++) {
    n = imerr_sig_base64((const unsigned char *)RFC[i][0], strlen(RFC[i][0]),
                         out, sizeof out);
    CHECK(n == strlen(RFC[i][1]) && memcmp(out, RFC[i][1], n) == 0);
  }
  CHECK(imerr_sig_base64((const unsigned char *)"foobar", 6, out, 7) == 8);

  memset(&in, 0, sizeof in);
  in.sdkappid = 1400000000;
  in.time = 1700000000;
  in.expire = 15552000;
  in.key = KEY;
  in.key_len = strlen(KEY);
  in.identifier = "xiaojun";
  in.identifier_len = 7;
  CHECK(imerr_sig_make(&in, out, sizeof out, &n) == IMERR_SIG_OK);
  CHECK(imerr_sig_unpack(out, n, &work, &n) == IMERR_SIG_OK);
  CHECK(n == strlen(NODE_DOC) && memcmp(work.text, NODE_DOC, n) == 0);

  CHECK(verify(NODE_SIG, strlen(NODE_SIG), 1700000000) == IMERR_SIG_OK);
  CHECK(work.doc.time == 1700000000 && work.doc.expire == 15552000);
  CHECK(verify(NODE_SIG, strlen(NODE_SIG), 1700000000 + 15552000) ==
        IMERR_SIG_OK);
  CHECK(verify(NODE_SIG, strlen(NODE_SIG), 1700000000 + 15552001) ==
        IMERR_SIG_EXPIRED);
}

static void test_streams(void) {
  char s[IMERR_SIG_TEXT_MAX];
  size_t n;
  n = odd_stream(15, "", 0, s);
  CHECK(verify(s, n, 1700000000) == IMERR_SIG_OK);
  n = odd_stream(9, "", 0, s); /* a smaller window is still zlib */
  CHECK(verify(s, n, 1700000000) == IMERR_SIG_OK);
  n = odd_stream(15, "x", 1, s); /* a byte after the stream's end */
  CHECK(verify(s, n, 1700000000) == IMERR_SIG_MALFORMED);
  n = odd_stream(15, "\0\0\0", 3, s);
  CHECK(verify(s, n, 1700000000) == IMERR_SIG_MALFORMED);
  n = odd_stream(-15, "", 0, s); /* raw deflate */
  CHECK(verify(s, n, 1700000000) == IMERR_SIG_MALFORMED);
  n = odd_stream(31, "", 0, s); /* gzip */
  CHECK(verify(s, n, 1700000000) == IMERR_SIG_MALFORMED);
  {
    /* A zlib header asking for a preset dictionary. */
    unsigned char z[] = {0x78, 0xBB, 0, 0, 0, 1, 3, 0, 0, 0, 0, 1};
    n = tencent64(z, sizeof z, s, sizeof s);
    CHECK(verify(s, n, 1) == IMERR_SIG_MALFORMED);
  }
}

static void test_bounds(void) {
  static unsigned char big[4 << 20];
  static char s[IMERR_SIG_TEXT_MAX + 8];
  char key[IMERR_SIG_KEY_MAX + 1];
  size_t n = 0, i;
  imerr_sig_expect ex = expect(1700000000);
  /* A bomb: 4 MB of '{' in a few KB. */
  memset(big, '{', sizeof big);
  CHECK(imerr_sig_pack(big, sizeof big, 9, s, sizeof s, &n) == IMERR_SIG_OK);
  CHECK(n < IMERR_SIG_TEXT_MAX);
  CHECK(imerr_sig_unpack(s, n, &work, &i) == IMERR_SIG_MALFORMED);
  CHECK(i == IMERR_SIG_DOC_MAX); /* it stopped there */
  CHECK(verify(s, n, 1) == IMERR_SIG_MALFORMED);
  /* Too much text for the output: pack says so instead of writing. */
  CHECK(imerr_sig_pack(big, sizeof big, 0, s, sizeof s, &n) ==
        IMERR_SIG_EINVAL);
  /* Every prefix of a good UserSig, and the longest text read. */
  for (i = 0; i < strlen(NODE_SIG); i++)
    CHECK(verify(NODE_SIG, i, 1) == IMERR_SIG_MALFORMED);
  memset(s, 'A', sizeof s);
  CHECK(verify(s, IMERR_SIG_TEXT_MAX, 1) == IMERR_SIG_MALFORMED);
  CHECK(verify(s, IMERR_SIG_TEXT_MAX + 4, 1) == IMERR_SIG_MALFORMED);
  /* A key longer than KEY_MAX is refused, not hashed. */
  memset(key, 'k', sizeof key);
  ex.key = key;
  ex.key_len = sizeof key;
  CHECK(imerr_sig_verify(NODE_SIG, strlen(NODE_SIG), &ex, &work) ==
        IMERR_SIG_EINVAL);
  ex.key_len = 0;
  CHECK(imerr_sig_verify(NODE_SIG, strlen(NODE_SIG), &ex, &work) ==
        IMERR_SIG_EINVAL);
  /* Tokens and times beyond their bounds never match. */
  CHECK(!imerr_sig_callback_check(key, sizeof key, "1", 1, s, 64));
  CHECK(!imerr_sig_callback_check("t", 1, s, IMERR_SIG_TIME_MAX + 1, s, 64));
}

static void test_make_limits(void) {
  imerr_sig_input in;
  char out[IMERR_SIG_TEXT_MAX];
  unsigned char userbuf[IMERR_SIG_USERBUF_MAX + 1];
  size_t n = 0;
  memset(&in, 0, sizeof in);
  memset(userbuf, 0xFF, sizeof userbuf);
  in.sdkappid = 1;
  in.key = "k";
  in.key_len = 1;
  in.identifier = "\"\\\x01\x1f\x7f";
  in.identifier_len = 5;
  in.time = IMERR_SIG_NUMBER_MAX - 1;
  in.expire = 1;
  in.userbuf = userbuf;
  in.userbuf_len = IMERR_SIG_USERBUF_MAX;
  in.has_userbuf = 1;
  CHECK(imerr_sig_make(&in, out, sizeof out, &n) == IMERR_SIG_OK);
  CHECK(imerr_sig_unpack(out, n, &work, &n) == IMERR_SIG_OK);
  /* JSON.stringify's escapes: \" \\ \u0001 \u001f, DEL as it is. */
  CHECK(strstr((const char *)work.text,
               "\"TLS.identifier\":\"\\\"\\\\\\u0001\\u001f\x7f\"") != NULL);
  CHECK(imerr_sig_parse(work.text, n, &work) == IMERR_SIG_OK);
  CHECK(work.doc.identifier_len == 5 &&
        memcmp(work.doc.identifier, in.identifier, 5) == 0);
  CHECK(work.doc.userbuf_len == IMERR_SIG_USERBUF_MAX);
  in.userbuf_len++;
  CHECK(imerr_sig_make(&in, out, sizeof out, &n) == IMERR_SIG_EINVAL);
  in.userbuf_len--;
  in.time = IMERR_SIG_NUMBER_MAX + 1;
  CHECK(imerr_sig_make(&in, out, sizeof out, &n) == IMERR_SIG_EINVAL);
  in.time = 1;
  in.identifier_len = IMERR_SIG_IDENTIFIER_MAX + 1;
  CHECK(imerr_sig_make(&in, out, sizeof out, &n) == IMERR_SIG_EINVAL);
  in.identifier_len = 0;
  CHECK(imerr_sig_make(&in, out, sizeof out, &n) == IMERR_SIG_EINVAL);
  in.identifier_len = 1;
  CHECK(imerr_sig_make(&in, out, 10, &n) == IMERR_SIG_EINVAL);
}

/* Makes and verifies UserSigs of its own identifier, with its own work. */
static void *thread_main(void *arg) {
  static const char *const IDS[] = {"t0", "t1", "t2", "t3"};
  const char *id = IDS[*(const int *)arg];
  imerr_sig_work *w = malloc(sizeof *w);
  imerr_sig_input in;
  imerr_sig_expect ex;
  char out[IMERR_SIG_TEXT_MAX], hex[64];
  size_t n = 0;
  int i, bad = 0;
  if (w == NULL) return (void *)1;
  memset(&in, 0, sizeof in);
  in.sdkappid = 1400000000;
  in.key = KEY;
  in.key_len = strlen(KEY);
  in.identifier = id;
  in.identifier_len = 2;
  in.expire = 60;
  ex.sdkappid = 1400000000;
  ex.key = KEY;
  ex.key_len = strlen(KEY);
  ex.identifier = id;
  ex.identifier_len = 2;
  for (i = 0; i < 200; i++) {
    in.time = ex.now = 1700000000 + (uint64_t)i;
    bad |= imerr_sig_make(&in, out, sizeof out, &n) != IMERR_SIG_OK;
    bad |= imerr_sig_verify(out, n, &ex, w) != IMERR_SIG_OK;
    bad |=
        imerr_sig_callback_sign(id, 2, "1669872112", 10, hex) != IMERR_SIG_OK;
    bad |= !imerr_sig_callback_check(id, 2, "1669872112", 10, hex, 64);
  }
  free(w);
  return (void *)(size_t)bad;
}

static void test_threads(void) {
  pthread_t t[4];
  int ids[4] = {0, 1, 2, 3}, i;
  for (i = 0; i < 4; i++)
    CHECK(pthread_create(&t[i], NULL, thread_main, &ids[i]) == 0);
  for (i = 0; i < 4; i++) {
    void *bad = (void *)1;
    CHECK(pthread_join(t[i], &bad) == 0 && bad == NULL);
  }
}

int main(void) {
  test_known_answers();
  test_streams();
  test_bounds();
  test_make_limits();
  test_threads();
  printf("test_sig: %d checks, %d failed\n", checks, failures);
  return failures != 0;
}
