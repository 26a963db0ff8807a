/*
** libFuzzer target: imerr_find with any 64-bit code. A row found must
** hold the code, the same row must come back from every lookup, and it
** must be the row a linear search finds (the hash may miss nothing).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imerr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  long long code = 0;
  const imerr_entry *e;
  memcpy(&code, data, size < sizeof code ? size : sizeof code);
  e = imerr_find(code);
  if (e != NULL && (code < e->code || code > e->last)) abort();
  if (e != imerr_find(code)) abort();
  if (e == NULL) {
    size_t i;
    for (i = 0; i < imerr_count(); i++)
      if (code >= imerr_at(i)->code && code <= imerr_at(i)->last) abort();
  }
  return 0;
}
