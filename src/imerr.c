/*
** imerr: lookups in the generated table. No allocation, no mutable
** state: every function only reads imerr_rows.
*/
#include <string.h>

#include "imerr.h"
#include "imerr_rows.inc"

/* Longest text imerr_parse_code reads; longer input is never a code. */
#define MAX_CODE_TEXT 64

const imerr_entry *imerr_find(long long code) {
  size_t lo = 0, hi = IMERR_ROW_COUNT;
  /* Find the last row whose first code is <= code. */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (imerr_rows[mid].code <= code) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0 || code > imerr_rows[lo - 1].last) return NULL;
  return &imerr_rows[lo - 1];
}

const imerr_entry *imerr_find_name(const char *name) {
  size_t lo = 0, hi = IMERR_ROW_COUNT;
  if (name == NULL || *name == '\0') return NULL;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const imerr_entry *e = &imerr_rows[imerr_by_name[mid]];
    int cmp = strcmp(name, e->name);
    if (cmp == 0) return e;
    if (cmp < 0) hi = mid;
    else lo = mid + 1;
  }
  return NULL;
}

size_t imerr_count(void) {
  return IMERR_ROW_COUNT;
}

const imerr_entry *imerr_at(size_t i) {
  return i < IMERR_ROW_COUNT ? &imerr_rows[i] : NULL;
}

size_t imerr_reason_count(void) {
  return IMERR_REASON_COUNT;
}

const imerr_reason *imerr_reason_at(size_t i) {
  return i < IMERR_REASON_COUNT ? &imerr_reasons[i] : NULL;
}

/* A linear search: there are two dozen reasons. */
const imerr_reason *imerr_find_reason(const char *name) {
  size_t i;
  if (name == NULL) return NULL;
  for (i = 0; i < IMERR_REASON_COUNT; i++)
    if (strcmp(name, imerr_reasons[i].name) == 0) return &imerr_reasons[i];
  return NULL;
}

static int is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

int imerr_parse_code(const char *text, size_t len, long long *code) {
  size_t i = 0, end = len;
  int negative = 0;
  unsigned long long value = 0, limit = IMERR_CODE_MAX;
  if (text == NULL) return IMERR_ESYNTAX;
  while (i < end && is_space(text[i])) i++;
  while (end > i && is_space(text[end - 1])) end--;
  if (end - i > MAX_CODE_TEXT) return IMERR_ESYNTAX;
  if (i < end && (text[i] == '+' || text[i] == '-')) {
    negative = text[i++] == '-';
    if (negative) limit = -(unsigned long long)IMERR_CODE_MIN;
  }
  if (i == end) return IMERR_ESYNTAX;
  for (; i < end; i++) {
    unsigned digit = (unsigned char)text[i] - (unsigned)'0';
    if (digit > 9) return IMERR_ESYNTAX;
    /* Saturate instead of overflowing; the range check comes after. */
    if (value <= limit) value = value * 10 + digit;
  }
  if (value > limit) return IMERR_ERANGE;
  if (code != NULL) *code = negative ? -(long long)value : (long long)value;
  return IMERR_OK;
}
