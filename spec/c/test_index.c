/*
** imerr_find against a linear search over every row, for the table it is
** built with: the real one, and (test c_index_synthetic) the real rows and
** 600 more with random codes and ranges. Checks every row's code,
** every range's ends and middle, each neighbour of both, and a million
** pseudo-random codes, some beyond 32 bits. Optional argument: the least
** number of rows expected.
*/
#include <stdio.h>
#include <stdlib.h>

#include "imerr.h"

static int failures;

/* The row holding code, by looking at every row. */
static const imerr_entry *reference(long long code) {
  size_t i;
  for (i = 0; i < imerr_count(); i++) {
    const imerr_entry *e = imerr_at(i);
    if (code >= e->code && code <= e->last) return e;
  }
  return NULL;
}

static void check(long long code) {
  const imerr_entry *got = imerr_find(code), *want = reference(code);
  if (got != want && failures++ < 10)
    fprintf(stderr, "imerr_find(%lld): row %s, expected %s\n", code,
            got ? got->name : "NULL", want ? want->name : "NULL");
}

/* A linear congruential generator: the same codes on every run. */
static unsigned long long next(unsigned long long *x) {
  *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
  return *x >> 16;
}

int main(int argc, char **argv) {
  size_t i, least = argc > 1 ? (size_t)atol(argv[1]) : 1, ranges = 0;
  unsigned long long x = 42;
  long n;
  for (i = 0; i < imerr_count(); i++) {
    const imerr_entry *e = imerr_at(i);
    if (imerr_find(e->code) != e && failures++ < 10)
      fprintf(stderr, "row %s not found by its code\n", e->name);
    check(e->code - 1);
    check(e->code + 1);
    check(e->last);
    check(e->last + 1);
    check(e->code + (e->last - e->code) / 2);
    ranges += e->last != e->code;
  }
  for (n = 0; n < 1000000; n++) {
    unsigned long long r = next(&x);
    /* Half near the table's codes, half anywhere in 40 bits. */
    long long code = n % 2 ? (long long)(r % 300000) - 50000
                           : (long long)(r % (1ULL << 40)) - (1LL << 39);
    check(code);
  }
  check(IMERR_CODE_MIN);
  check(IMERR_CODE_MAX);
  check(IMERR_CODE_MAX + 1);
  if (imerr_count() < least || ranges == 0) {
    fprintf(stderr, "%lu rows and %lu ranges, expected %lu rows or more\n",
            (unsigned long)imerr_count(), (unsigned long)ranges,
            (unsigned long)least);
    failures++;
  }
  if (failures) {
    fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  printf("%lu rows (%lu ranges): every lookup agrees with a linear search\n",
         (unsigned long)imerr_count(), (unsigned long)ranges);
  return 0;
}
