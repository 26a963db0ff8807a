/*
** The C core alone: ns per imerr_find and imerr_find_name call over a mix
** of known codes and names, or, with a count argument, just that many
** calls of each (for valgrind --tool=callgrind, which counts
** instructions). "empty" runs the same loop over a function that does
** nothing: the baseline that run.sh subtracts.
*/
#define _POSIX_C_SOURCE 199309L /* clock_gettime */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "imerr.h"

static const long long CODES[] = {9510,  70001, 60007, 6017,   -302,  20004,
                                  10010, 70169, 90024, -10001, 30539, 0,
                                  40003, 9520,  10006, 80001};
#define NCODES (sizeof CODES / sizeof CODES[0])

static const char *names[NCODES];
static volatile size_t sink;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef const imerr_entry *find_fn(long long code);

/* The baseline: a call that returns at once. */
static const imerr_entry *find_nothing(long long code) {
  (void)code;
  return NULL;
}

/*
** Chosen at run time, so both loops call through the same pointer and
** the compiler can neither inline nor drop the empty call.
*/
static find_fn *finder = imerr_find;

static void run_find(long n) {
  long i;
  for (i = 0; i < n; i++) sink += (size_t)finder(CODES[i % NCODES]);
}

static void run_find_name(long n) {
  long i;
  for (i = 0; i < n; i++) sink += (size_t)imerr_find_name(names[i % NCODES]);
}

static double ns_per_call(void (*run)(long), long n) {
  double best = 1e30;
  int round;
  for (round = 0; round < 5; round++) {
    double t0 = now(), ns;
    run(n);
    ns = (now() - t0) / n * 1e9;
    if (ns < best) best = ns;
  }
  return best;
}

int main(int argc, char **argv) {
  size_t i;
  for (i = 0; i < NCODES; i++) names[i] = imerr_find(CODES[i])->name;
  if (argc > 2) { /* a fixed number of calls, for callgrind */
    long n = atol(argv[2]);
    if (argv[1][0] == 'e') finder = find_nothing;
    if (argv[1][0] == 'n') run_find_name(n);
    else run_find(n);
    return 0;
  }
  printf("imerr_find       %6.1f ns/call\n", ns_per_call(run_find, 20000000));
  finder = find_nothing;
  printf("empty call       %6.1f ns/call\n", ns_per_call(run_find, 20000000));
  printf("imerr_find_name  %6.1f ns/call\n",
         ns_per_call(run_find_name, 20000000));
  return 0;
}
