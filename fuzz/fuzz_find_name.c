/*
** libFuzzer target: imerr_find_name and imerr_find_reason with names of
** any bytes and length. A row found must carry exactly that name.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imerr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *name = malloc(size + 1);
  const imerr_entry *e;
  const imerr_reason *r;
  if (name == NULL) return 0;
  memcpy(name, data, size);
  name[size] = '\0';
  e = imerr_find_name(name);
  if (e != NULL && (strcmp(e->name, name) != 0 || imerr_find(e->code) != e))
    abort();
  r = imerr_find_reason(name);
  if (r != NULL && strcmp(r->name, name) != 0) abort();
  free(name);
  return 0;
}
