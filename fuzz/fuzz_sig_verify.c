/*
** libFuzzer target: imerr_sig_verify's C parts on any bytes. The input is
** read three ways: as a UserSig (strict base64, bounded inflate, parse),
** as a document's text (the parser alone, and packed as a UserSig), and
** a document that parses is signed again and must then verify, with the
** same fields.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imerr_sig.h"

static const char KEY[] = "fuzz-key";

static imerr_sig_work w, again;

/* A result verify may give: never EINVAL or ECRYPTO for a good key. */
static void expect_reason(int rc) {
  if (rc < IMERR_SIG_OK || rc > IMERR_SIG_BAD_SIGNATURE) abort();
}

/* Strings of a parsed document lie inside the work area. */
static void inside(const unsigned char *p, size_t n) {
  const unsigned char *lo = w.strings, *hi = w.strings + sizeof w.strings;
  if (n && (p < lo || p + n > hi)) abort();
}

/* A parsed document, made again with the fuzz key, verifies as itself. */
static void resign(void) {
  const imerr_sig_doc *d = &w.doc;
  imerr_sig_input in;
  imerr_sig_expect ex;
  char out[IMERR_SIG_TEXT_MAX];
  size_t n = 0;
  int rc;
  memset(&in, 0, sizeof in);
  in.sdkappid = d->sdkappid;
  in.time = d->time;
  in.expire = d->expire;
  in.key = KEY;
  in.key_len = sizeof KEY - 1;
  in.identifier = (const char *)d->identifier;
  in.identifier_len = d->identifier_len;
  in.userbuf = d->userbuf;
  in.userbuf_len = d->userbuf_len;
  in.has_userbuf = d->has_userbuf;
  rc = imerr_sig_make(&in, out, sizeof out, &n);
  if (rc == IMERR_SIG_EINVAL) return; /* beyond what make signs */
  if (rc != IMERR_SIG_OK) abort();
  ex.sdkappid = d->sdkappid;
  ex.now = d->time;
  ex.key = KEY;
  ex.key_len = sizeof KEY - 1;
  ex.identifier = (const char *)d->identifier;
  ex.identifier_len = d->identifier_len;
  if (imerr_sig_verify(out, n, &ex, &again) != IMERR_SIG_OK) abort();
  if (again.doc.expire != d->expire || again.doc.sdkappid != d->sdkappid ||
      again.doc.has_userbuf != d->has_userbuf ||
      again.doc.userbuf_len != d->userbuf_len ||
      (d->userbuf_len &&
       memcmp(again.doc.userbuf, d->userbuf, d->userbuf_len) != 0))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  imerr_sig_expect ex;
  char packed[IMERR_SIG_TEXT_MAX];
  size_t n = 0;
  ex.sdkappid = 1400000000;
  ex.now = 1700000000;
  ex.key = KEY;
  ex.key_len = sizeof KEY - 1;
  ex.identifier = "fuzz";
  ex.identifier_len = 4;

  expect_reason(imerr_sig_verify((const char *)data, size, &ex, &w));

  if (imerr_sig_parse(data, size, &w) == IMERR_SIG_OK) {
    inside(w.doc.identifier, w.doc.identifier_len);
    inside(w.doc.userbuf, w.doc.userbuf_len);
    inside(w.doc.userbuf_text, w.doc.userbuf_text_len);
    if (w.doc.sdkappid > IMERR_SIG_NUMBER_MAX ||
        w.doc.time > IMERR_SIG_NUMBER_MAX ||
        w.doc.expire > IMERR_SIG_NUMBER_MAX)
      abort();
    resign();
  }

  /* The same bytes as a document inside a UserSig. */
  if (imerr_sig_pack(data, size, -1, packed, sizeof packed, &n) ==
      IMERR_SIG_OK) {
    size_t text_len = 0;
    int rc = imerr_sig_unpack(packed, n, &w, &text_len);
    if (size <= IMERR_SIG_DOC_MAX &&
        (rc != IMERR_SIG_OK || text_len != size ||
         (size && memcmp(w.text, data, size) != 0)))
      abort();
    if (size > IMERR_SIG_DOC_MAX && rc != IMERR_SIG_MALFORMED) abort();
    expect_reason(imerr_sig_verify(packed, n, &ex, &w));
  }
  return 0;
}
