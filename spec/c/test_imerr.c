/*
** Tests of the C API in imerr.h. Prints "N passed, N failed" and exits
** non-zero on any failure.
*/
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include "imerr.h"

static int passed, failed;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) passed++;                                                        \
    else {                                                                     \
      failed++;                                                                \
      fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond);       \
    }                                                                          \
  } while (0)

static int parses(const char *text, long long want) {
  long long got = 12345;
  return imerr_parse_code(text, strlen(text), &got) == IMERR_OK && got == want;
}

static int parse_fails(const char *text, size_t len, int why) {
  long long got = 12345;
  return imerr_parse_code(text, len, &got) == why && got == 12345;
}

static void test_find(void) {
  const imerr_entry *e = imerr_find(9510);
  CHECK(e != NULL && e->code == 9510 && e->last == 9510);
  CHECK(e != NULL && strcmp(e->name, "ERR_SDK_NET_CONN_TIMEOUT") == 0);
  CHECK(e != NULL && strcmp(e->part, "sdk") == 0 && e->official == 1);
  CHECK(e != NULL && strcmp(e->section, "network") == 0);
  CHECK(e != NULL && strncmp(e->message, "Network connection setup", 24) == 0);
  e = imerr_find(70001);
  CHECK(e != NULL && strcmp(e->name, "ERR_SVR_ACCOUNT_USERSIG_EXPIRED") == 0);
  CHECK(imerr_find(-302) != NULL && imerr_find(-10114) != NULL);
  CHECK(imerr_find(0) != NULL && strcmp(imerr_find(0)->name, "ERR_SUCC") == 0);
  CHECK(imerr_find(99999) == NULL && imerr_find(1) == NULL);
  CHECK(imerr_find(IMERR_CODE_MIN) == NULL);
  CHECK(imerr_find(IMERR_CODE_MAX) == NULL);
  CHECK(imerr_find(-9223372036854775807LL - 1) == NULL);
  CHECK(imerr_find(9223372036854775807LL) == NULL);
}

static void test_range(void) {
  const imerr_entry *e = imerr_find(120001);
  CHECK(e != NULL && e->code == 120001 && e->last == 130000);
  CHECK(e != NULL && e->official == 0);
  CHECK(imerr_find(125000) == e && imerr_find(130000) == e);
  CHECK(imerr_find(120000) == NULL && imerr_find(130006) == NULL);
  /* 130001 follows the range as a code of its own. */
  CHECK(imerr_find(130001) != NULL && imerr_find(130001)->last == 130001);
  e = imerr_find(10150);
  CHECK(e != NULL && e->code == 10100 && e->last == 10200);
  CHECK(e != NULL && strcmp(e->reason, "app_defined") == 0);
  CHECK(imerr_find(10099) == NULL && imerr_find(10201) == NULL);
  e = imerr_find(39000);
  CHECK(e != NULL && e->code == 38000 && strcmp(e->part, "server") == 0);
  CHECK(imerr_find(37999) == NULL && imerr_find(39001) == NULL);
}

static void test_find_name(void) {
  const imerr_entry *e = imerr_find_name("ERR_SDK_NOT_INITIALIZED");
  CHECK(e != NULL && e->code == 6013);
  /* Tencent's own misspelling, a code since the 2020 page. */
  CHECK(imerr_find_name("ERR_IN_PROGESS") == imerr_find(6015));
  CHECK(imerr_find_name("NO_SDKAPPID") == imerr_find(2000)); /* web SDK */
  CHECK(imerr_find_name("ERR_NO_SUCH_CODE") == NULL);
  CHECK(imerr_find_name(NULL) == NULL && imerr_find_name("") == NULL);
  CHECK(imerr_find_name("err_succ") == NULL);
  CHECK(imerr_find_name("ERR_SUCC ") == NULL);
}

static void test_sources(void) {
  const imerr_entry *e = imerr_find(8001);
  size_t i, seed = 0, changed = 0;
  CHECK(e != NULL && strcmp(e->source, "page-2020") == 0);
  CHECK(e != NULL && strstr(e->change, "12 KB") != NULL);
  e = imerr_find(9510);
  CHECK(e != NULL && strcmp(e->change, "") == 0);
  e = imerr_find(800016);
  CHECK(e != NULL && strcmp(e->part, "push_sdk") == 0);
  CHECK(e != NULL && strcmp(e->source, "push-page") == 0);
  e = imerr_find(3002);
  CHECK(e != NULL && strcmp(e->part, "web_sdk") == 0);
  CHECK(e != NULL && strcmp(e->source, "web-sdk") == 0);
  for (i = 0; i < imerr_count(); i++) {
    e = imerr_at(i);
    CHECK(e->source != NULL && e->source[0] != '\0' && e->change != NULL);
    if (strcmp(e->source, "page-2020") == 0) seed++;
    if (e->change[0] != '\0') changed++;
  }
  CHECK(seed == 281);
  CHECK(changed == 24);
}

/* The fields of 1.0.0 keep their places: programs built against its
** header read the same fields from this library. */
static void test_layout(void) {
  const imerr_entry *e = imerr_find(9510);
  CHECK(offsetof(imerr_entry, http_status) < offsetof(imerr_entry, source));
  CHECK(offsetof(imerr_entry, source) < offsetof(imerr_entry, change));
  CHECK(offsetof(imerr_entry, change) < offsetof(imerr_entry, ambiguous));
  CHECK(offsetof(imerr_entry, official) < offsetof(imerr_entry, retry_class));
  CHECK(sizeof(imerr_entry) == offsetof(imerr_entry, ambiguous) + sizeof(int) ||
        sizeof(imerr_entry) ==
            offsetof(imerr_entry, ambiguous) + sizeof(void *));
  /* 9510 failed before sending (data/ambiguous.tsv); 70169 may have run */
  CHECK(e != NULL && e->ambiguous == 0);
  e = imerr_find(70169);
  CHECK(e != NULL && e->ambiguous == 1);
  e = imerr_find(60007);
  CHECK(e != NULL && e->ambiguous == 0);
}

static void test_order(void) {
  size_t i, n = imerr_count();
  CHECK(n == 600);
  CHECK(imerr_at(n) == NULL && imerr_at((size_t)-1) == NULL);
  for (i = 0; i < n; i++) {
    const imerr_entry *e = imerr_at(i);
    CHECK(imerr_find(e->code) == e && imerr_find(e->last) == e);
    CHECK(imerr_find_name(e->name) == e);
    if (i > 0) CHECK(imerr_at(i - 1)->last < e->code);
  }
}

static void test_hints(void) {
  const imerr_entry *e = imerr_find(9506);
  const imerr_reason *r = imerr_find_reason("unknown");
  size_t i;
  CHECK(e != NULL && strcmp(e->retry_class, "transient") == 0);
  CHECK(e != NULL && strcmp(e->reason, "rate_limited") == 0);
  CHECK(e != NULL && e->min_delay_ms == 200 && e->http_status == 429);
  e = imerr_find(70001);
  CHECK(e != NULL && strcmp(e->action, "relogin") == 0);
  CHECK(r != NULL && strcmp(r->retry_class, "fatal") == 0);
  CHECK(r != NULL && r->http_status == 500);
  CHECK(r != NULL && r->ambiguous == 0);
  r = imerr_find_reason("timeout");
  CHECK(r != NULL && r->ambiguous == 1);
  CHECK(imerr_find_reason(NULL) == NULL && imerr_find_reason("x") == NULL);
  CHECK(imerr_reason_at(imerr_reason_count()) == NULL);
  for (i = 0; i < imerr_count(); i++) {
    e = imerr_at(i);
    r = imerr_find_reason(e->reason);
    CHECK(r != NULL && strcmp(r->retry_class, e->retry_class) == 0);
    CHECK(r != NULL && r->http_status == e->http_status);
  }
}

static void test_parse(void) {
  CHECK(parses("70001", 70001) && parses(" -302 ", -302));
  CHECK(parses("+9510", 9510) && parses("\t0\n", 0) && parses("-0", 0));
  CHECK(parses("2147483647", IMERR_CODE_MAX));
  CHECK(parses("-2147483648", IMERR_CODE_MIN));
  CHECK(parses("0000000070001", 70001));
  CHECK(parse_fails("2147483648", 10, IMERR_ERANGE));
  CHECK(parse_fails("-2147483649", 11, IMERR_ERANGE));
  CHECK(parse_fails("99999999999999999999999", 23, IMERR_ERANGE));
  CHECK(parse_fails("", 0, IMERR_ESYNTAX));
  CHECK(parse_fails("   ", 3, IMERR_ESYNTAX));
  CHECK(parse_fails("-", 1, IMERR_ESYNTAX));
  CHECK(parse_fails("0x1F", 4, IMERR_ESYNTAX));
  CHECK(parse_fails("7e4", 3, IMERR_ESYNTAX));
  CHECK(parse_fails("70001abc", 8, IMERR_ESYNTAX));
  CHECK(parse_fails("70 001", 6, IMERR_ESYNTAX));
  CHECK(parse_fails("70001\0", 6, IMERR_ESYNTAX));
  CHECK(parse_fails(NULL, 0, IMERR_ESYNTAX));
  CHECK(imerr_parse_code("12", 1, NULL) == IMERR_OK); /* reads len bytes */
}

int main(void) {
  test_find();
  test_range();
  test_find_name();
  test_sources();
  test_layout();
  test_order();
  test_hints();
  test_parse();
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
