/*
** libFuzzer target: imerr_parse_code on any bytes (no terminator: it
** reads exactly size bytes). A parsed code must be in range and survive a
** round trip through its decimal form.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imerr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  long long code = 0, again = 0;
  char text[32];
  int rc = imerr_parse_code((const char *)data, size, &code);
  if (rc != IMERR_OK && rc != IMERR_ESYNTAX && rc != IMERR_ERANGE) abort();
  if (rc == IMERR_OK) {
    if (code < IMERR_CODE_MIN || code > IMERR_CODE_MAX) abort();
    snprintf(text, sizeof text, "%lld", code);
    if (imerr_parse_code(text, strlen(text), &again) != IMERR_OK) abort();
    if (again != code) abort();
  }
  return 0;
}
