/*
** imerr: lookups in the generated table. No allocation, no mutable
** state: every function only reads the generated constant tables.
*/
#include <stdint.h>
#include <string.h>

#include "imerr.h"
/* The generated table; a test compiles the core with another one. */
#ifndef IMERR_ROWS_FILE
#define IMERR_ROWS_FILE "imerr_rows.inc"
#endif
#include IMERR_ROWS_FILE

/* Longest text imerr_parse_code reads; longer input is never a code. */
#define MAX_CODE_TEXT 64

/* The range row holding code, or NULL: ranges are few (app-defined codes). */
static const imerr_entry *find_range(long long code) {
#if IMERR_RANGE_COUNT > 0
  size_t i;
  for (i = 0; i < IMERR_RANGE_COUNT; i++) {
    const imerr_entry *e = &imerr_rows[imerr_ranges[i]];
    if (code >= e->code && code <= e->last) return e;
  }
#else
  (void)code;
#endif
  return NULL;
}

/*
** The perfect hash built by tools/imerr_index.lua: two multiplications
** and three loads whatever the number of rows. The slot's row is the only
** candidate; the conversion to 32 bits is modular, and the compare of the
** whole code refuses anything else, codes beyond 32 bits included.
*/
const imerr_entry *imerr_find(long long code) {
  uint32_t h = (uint32_t)code * IMERR_HASH_MUL;
  uint32_t mul = IMERR_SLOT_MUL + 2u * imerr_disp[h >> IMERR_BUCKET_SHIFT];
  const imerr_entry *e =
      &imerr_rows[imerr_slots[(uint32_t)(h * mul) >> IMERR_SLOT_SHIFT]];
  if (e->code == code) return e;
  return find_range(code);
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
