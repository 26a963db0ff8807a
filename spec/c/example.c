/* A C program using the installed library: prints code 9510's row. */
#include <stdio.h>
#include <string.h>

#include <imerr.h>

int main(void) {
  const imerr_entry *e = imerr_find(9510);
  if (e == NULL || strcmp(e->name, "ERR_SDK_NET_CONN_TIMEOUT") != 0) return 1;
  printf("%lld %s: %s\n", e->code, e->name, e->message);
  return 0;
}
