/*
** Eight threads look codes and names up at once and compare with the
** answers one thread got first. Run under ThreadSanitizer too: the table
** is read-only, so there must be nothing to report.
*/
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "imerr.h"

#define THREADS 8
#define ROUNDS 2000

static const imerr_entry *expected[1024];

static void *worker(void *arg) {
  size_t i, n = imerr_count();
  int round;
  long bad = 0;
  char text[32];
  (void)arg;
  for (round = 0; round < ROUNDS; round++) {
    for (i = 0; i < n; i++) {
      const imerr_entry *e = imerr_at(i);
      long long code;
      snprintf(text, sizeof text, " %lld ", e->code);
      if (imerr_find(e->code) != expected[i]) bad++;
      if (imerr_find_name(e->name) != expected[i]) bad++;
      if (imerr_parse_code(text, strlen(text), &code) != IMERR_OK ||
          code != e->code)
        bad++;
      if (imerr_find_reason(e->reason) == NULL) bad++;
    }
  }
  return (void *)bad;
}

int main(void) {
  pthread_t threads[THREADS];
  size_t i;
  int t, failed = 0;
  if (imerr_count() > sizeof expected / sizeof expected[0]) return 1;
  for (i = 0; i < imerr_count(); i++)
    expected[i] = imerr_find(imerr_at(i)->code);
  for (t = 0; t < THREADS; t++)
    if (pthread_create(&threads[t], NULL, worker, NULL) != 0) return 1;
  for (t = 0; t < THREADS; t++) {
    void *bad;
    pthread_join(threads[t], &bad);
    if (bad != NULL) failed++;
  }
  printf("%d passed, %d failed\n", THREADS - failed, failed);
  return failed != 0;
}
