/*
** imerr.core: the C tables for Lua (5.1, LuaJIT 2.1, 5.3, 5.4), for
** imerr's own modules (imerr._rows, imerr.api): it makes the Lua tables
** they keep, each at its final size, so that require runs no Lua loop
** over the rows and parses no generated Lua source.
*/
#include <math.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"

/*
** The C core is compiled into this file, with the tables only the Lua
** module needs (IMERR_LUA_TABLES: the rows that share a hint or a group);
** IMERR_EMBED keeps every imerr_* function private to the module.
*/
#define IMERR_LUA_TABLES
#include "imerr.c"

/*
** The module's only exported symbol. Builds compile the C core into the
** module with IMERR_EMBED defined, so none of imerr_* is exported.
*/
#include "imerr_luaopen.h"

IMERR_LUAOPEN int luaopen_imerr_core(lua_State *L);

/*
** The fields of a row as Lua names them, in the order core.at returns
** them: the one list of them. core.fields gives the names to Lua, and
** core.column takes a name, so no number is written on the Lua side.
*/
#define ROW_FIELDS(X)                                                          \
  X(CODE, "code")                                                              \
  X(LAST, "last")                                                              \
  X(NAME, "name")                                                              \
  X(OFFICIAL, "official")                                                      \
  X(PART, "part")                                                              \
  X(SECTION, "section")                                                        \
  X(MESSAGE, "message")                                                        \
  X(CLASS, "class")                                                            \
  X(REASON, "reason")                                                          \
  X(ACTION, "action")                                                          \
  X(SEVERITY, "severity")                                                      \
  X(MIN_DELAY, "min_delay")                                                    \
  X(HTTP_STATUS, "http_status")                                                \
  X(SOURCE, "source")                                                          \
  X(CHANGE, "change")                                                          \
  X(AMBIGUOUS, "ambiguous")

#define AS_ENUM(id, name) F_##id,
#define AS_NAME(id, name) name,
enum field { ROW_FIELDS(AS_ENUM) FIELD_COUNT };
static const char *const field_names[FIELD_COUNT] = {ROW_FIELDS(AS_NAME)};

/* A hint: what to do about a code (class, http_status and severity
   follow from the reason). */
static const enum field hint_fields[] = {F_CLASS,     F_REASON,      F_ACTION,
                                         F_MIN_DELAY, F_HTTP_STATUS, F_SEVERITY,
                                         F_AMBIGUOUS};
#define HINT_FIELDS (sizeof hint_fields / sizeof hint_fields[0])

/* A group: where a row comes from, shared by the rows with the same. */
static const enum field group_fields[] = {F_PART, F_SECTION, F_OFFICIAL,
                                          F_SOURCE};
#define GROUP_FIELDS (sizeof group_fields / sizeof group_fields[0])

/* Pushes field f of a row; change is nil when there is none. */
static void push_field(lua_State *L, const imerr_entry *e, enum field f) {
  switch (f) {
  case F_CODE:
    lua_pushinteger(L, (lua_Integer)e->code);
    break;
  case F_LAST:
    lua_pushinteger(L, (lua_Integer)e->last);
    break;
  case F_NAME:
    lua_pushstring(L, e->name);
    break;
  case F_OFFICIAL:
    lua_pushboolean(L, e->official);
    break;
  case F_PART:
    lua_pushstring(L, e->part);
    break;
  case F_SECTION:
    lua_pushstring(L, e->section);
    break;
  case F_MESSAGE:
    lua_pushstring(L, e->message);
    break;
  case F_CLASS:
    lua_pushstring(L, e->retry_class);
    break;
  case F_REASON:
    lua_pushstring(L, e->reason);
    break;
  case F_ACTION:
    lua_pushstring(L, e->action);
    break;
  case F_SEVERITY:
    lua_pushstring(L, e->severity);
    break;
  case F_MIN_DELAY: /* seconds: an integer when it is whole */
    if (e->min_delay_ms % 1000 == 0)
      lua_pushinteger(L, (lua_Integer)(e->min_delay_ms / 1000));
    else lua_pushnumber(L, (lua_Number)e->min_delay_ms / 1000);
    break;
  case F_HTTP_STATUS:
    lua_pushinteger(L, (lua_Integer)e->http_status);
    break;
  case F_SOURCE:
    lua_pushstring(L, e->source);
    break;
  case F_CHANGE:
    if (e->change[0] == '\0') lua_pushnil(L);
    else lua_pushstring(L, e->change);
    break;
  default:
    lua_pushboolean(L, e->ambiguous);
  }
}

/* Pushes the names of fields (Lua strings made once for many tables). */
static int push_names(lua_State *L, const enum field *fields, size_t n) {
  size_t k;
  luaL_checkstack(L, (int)n + 4, NULL);
  for (k = 0; k < n; k++) lua_pushstring(L, field_names[fields[k]]);
  return lua_gettop(L) - (int)n + 1;
}

/* A new table of the given fields of a row, named by the strings at stack
   index names on, with room for extra more. */
static void push_fields(lua_State *L, const imerr_entry *e,
                        const enum field *fields, size_t n, int names,
                        int extra) {
  size_t k;
  lua_createtable(L, 0, (int)n + extra);
  for (k = 0; k < n; k++) {
    lua_pushvalue(L, names + (int)k);
    push_field(L, e, fields[k]);
    lua_rawset(L, -3);
  }
}

/* core.count() -> number of rows */
static int l_count(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)imerr_count());
  return 1;
}

/* The row of index i (1-based) given as argument arg, or NULL. */
static const imerr_entry *row_arg(lua_State *L, int arg) {
  lua_Integer i = luaL_checkinteger(L, arg);
  return i >= 1 ? imerr_at((size_t)(i - 1)) : NULL;
}

/* core.at(i) -> the fields of row i in the order of core.fields */
static int l_at(lua_State *L) {
  const imerr_entry *e = row_arg(L, 1);
  int k;
  if (e == NULL) return 0;
  luaL_checkstack(L, FIELD_COUNT, NULL);
  for (k = 0; k < FIELD_COUNT; k++) push_field(L, e, (enum field)k);
  return FIELD_COUNT;
}

/*
** core.column(name) -> the list of a field (named as in core.fields) for
** every row, sized once: one call instead of a call per row.
*/
static int l_column(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  size_t i, n = imerr_count();
  int k = 0;
  while (k < FIELD_COUNT && strcmp(name, field_names[k]) != 0) k++;
  luaL_argcheck(L, k < FIELD_COUNT, 1, "no such field");
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    push_field(L, imerr_at(i), (enum field)k);
    lua_rawseti(L, -2, (int)i + 1);
  }
  return 1;
}

/* The private hints, pushed in order, each with room for its public
   copy (made by imerr._rows on first use). */
static void push_hints(lua_State *L, int names) {
  size_t h;
  luaL_checkstack(L, IMERR_HINT_COUNT + 8, NULL);
  for (h = 0; h < IMERR_HINT_COUNT; h++)
    push_fields(L, &imerr_rows[imerr_hint_rows[h]], hint_fields, HINT_FIELDS,
                names, 1);
}

/* The fields of a reason, in the order push_reasons pushes them. */
static const char *const reason_fields[] = {
    "name", "meaning", "class", "http_status", "severity", "ambiguous"};
#define REASON_FIELDS ((int)(sizeof reason_fields / sizeof reason_fields[0]))

/* Pushes a new table name -> reason and, with list, the list of the same
   tables in the order of data/reasons.tsv. */
static void push_reasons(lua_State *L, int list) {
  int i, k, n = (int)imerr_reason_count(), names;
  luaL_checkstack(L, 2 * REASON_FIELDS + 4, NULL);
  for (k = 0; k < REASON_FIELDS; k++) lua_pushstring(L, reason_fields[k]);
  names = lua_gettop(L) - REASON_FIELDS + 1;
  lua_createtable(L, 0, n);
  if (list) lua_createtable(L, n, 0);
  for (i = 0; i < n; i++) {
    const imerr_reason *r = imerr_reason_at((size_t)i);
    lua_createtable(L, 0, REASON_FIELDS);
    for (k = 0; k < REASON_FIELDS; k++) {
      lua_pushvalue(L, names + k);
      switch (k) {
      case 0:
        lua_pushstring(L, r->name);
        break;
      case 1:
        lua_pushstring(L, r->meaning);
        break;
      case 2:
        lua_pushstring(L, r->retry_class);
        break;
      case 3:
        lua_pushinteger(L, (lua_Integer)r->http_status);
        break;
      case 4:
        lua_pushstring(L, r->severity);
        break;
      default:
        lua_pushboolean(L, r->ambiguous);
      }
      lua_rawset(L, -3);
    }
    if (list) {
      lua_pushvalue(L, -1);
      lua_rawseti(L, -3, i + 1);
    }
    lua_pushvalue(L, names); /* "name" */
    lua_rawget(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, names + REASON_FIELDS); /* by name */
  }
}

/*
** core.reasons([list]) -> name -> reason, fresh tables; with list, also the
** list of the same tables in the order of data/reasons.tsv.
*/
static int l_reasons(lua_State *L) {
  int list = lua_toboolean(L, 1);
  push_reasons(L, list);
  return list ? 2 : 1;
}

/*
** core.tables() -> a table of what imerr reads at require: count; codes
** (row -> code); index (code -> row); hints (code -> its private hint,
** shared by the codes with the same); ranges (the rows of ranges) and
** lasts (row -> last code, for them). Tables keyed by code have no array
** part (LuaJIT compiles lookups of negative codes only
** in the hash part).
*/
static int l_tables(lua_State *L) {
  size_t i, n = imerr_count();
  int t, codes, index, hints, ranges, lasts, names, first;
  lua_settop(L, 0);
  names = push_names(L, hint_fields, HINT_FIELDS);
  first = lua_gettop(L) + 1;
  push_hints(L, names);
  lua_createtable(L, 0, 10);
  t = lua_gettop(L);
  lua_pushinteger(L, (lua_Integer)n);
  lua_setfield(L, t, "count");
  lua_createtable(L, (int)n, 0);
  codes = lua_gettop(L);
  lua_createtable(L, 0, (int)n);
  index = lua_gettop(L);
  lua_createtable(L, 0, (int)n);
  hints = lua_gettop(L);
  lua_createtable(L, IMERR_RANGE_COUNT, 0);
  ranges = lua_gettop(L);
  lua_createtable(L, 0, IMERR_RANGE_COUNT);
  lasts = lua_gettop(L);
  for (i = 0; i < n; i++) {
    const imerr_entry *e = &imerr_rows[i];
    lua_Integer row = (lua_Integer)i + 1;
    lua_pushinteger(L, (lua_Integer)e->code);
    lua_rawseti(L, codes, (int)row);
    lua_pushinteger(L, row); /* codes are 32-bit: an int */
    lua_rawseti(L, index, (int)e->code);
    lua_pushvalue(L, first + (int)imerr_row_hints[i]);
    lua_rawseti(L, hints, (int)e->code);
  }
#if IMERR_RANGE_COUNT > 0
  for (i = 0; i < IMERR_RANGE_COUNT; i++) {
    size_t row = imerr_ranges[i];
    lua_pushinteger(L, (lua_Integer)row + 1);
    lua_rawseti(L, ranges, (int)i + 1);
    lua_pushinteger(L, (lua_Integer)row + 1);
    lua_pushinteger(L, (lua_Integer)imerr_rows[row].last);
    lua_rawset(L, lasts);
  }
#endif
  lua_setfield(L, t, "lasts");
  lua_setfield(L, t, "ranges");
  lua_setfield(L, t, "hints");
  lua_setfield(L, t, "index");
  lua_setfield(L, t, "codes");
  return 1;
}

/*
** core.texts() -> a table: names and messages (row -> text), groups (row
** -> {part, section, official, source}, one table for the rows with the
** same) and changes (row -> change, for the rows that have one).
*/
static int l_texts(lua_State *L) {
  size_t i, n = imerr_count(), with_change = 0;
  int t, groups, changes, first;
  int names = (lua_settop(L, 0), push_names(L, group_fields, GROUP_FIELDS));
  luaL_checkstack(L, IMERR_GROUP_COUNT + 8, NULL);
  first = lua_gettop(L) + 1;
  for (i = 0; i < IMERR_GROUP_COUNT; i++)
    push_fields(L, &imerr_rows[imerr_group_rows[i]], group_fields, GROUP_FIELDS,
                names, 0);
  for (i = 0; i < n; i++) with_change += imerr_rows[i].change[0] != '\0';
  lua_createtable(L, 0, 4);
  t = lua_gettop(L);
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_pushstring(L, imerr_rows[i].name);
    lua_rawseti(L, -2, (int)i + 1);
  }
  lua_setfield(L, t, "names");
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_pushstring(L, imerr_rows[i].message);
    lua_rawseti(L, -2, (int)i + 1);
  }
  lua_setfield(L, t, "messages");
  lua_createtable(L, (int)n, 0);
  groups = lua_gettop(L);
  lua_createtable(L, 0, (int)with_change);
  changes = lua_gettop(L);
  for (i = 0; i < n; i++) {
    lua_pushvalue(L, first + (int)imerr_row_groups[i]);
    lua_rawseti(L, groups, (int)i + 1);
    if (imerr_rows[i].change[0] != '\0') {
      lua_pushstring(L, imerr_rows[i].change);
      lua_rawseti(L, changes, (int)i + 1);
    }
  }
  lua_setfield(L, t, "changes");
  lua_setfield(L, t, "groups");
  return 1;
}

/* The 1-based index of row e, or nil when there is none. */
static int push_index(lua_State *L, const imerr_entry *e) {
  if (e == NULL) lua_pushnil(L);
  else lua_pushinteger(L, (lua_Integer)(e - imerr_rows) + 1);
  return 1;
}

/* core.find(code) -> row index or nil; code must be an integral number */
static int l_find(lua_State *L) {
  lua_Number n = luaL_checknumber(L, 1);
  const imerr_entry *e = NULL;
  /* Range first: it makes the cast defined, and NaN fails it. */
  if (n >= (lua_Number)IMERR_CODE_MIN && n <= (lua_Number)IMERR_CODE_MAX &&
      n == (lua_Number)(long long)n)
    e = imerr_find((long long)n);
  return push_index(L, e);
}

/* core.find_name(name) -> row index or nil */
static int l_find_name(lua_State *L) {
  size_t len;
  const char *name = luaL_checklstring(L, 1, &len);
  const imerr_entry *e = NULL;
  if (strlen(name) == len) e = imerr_find_name(name); /* no embedded NUL */
  return push_index(L, e);
}

/* core.parse(text) -> code, or nil and "syntax" / "range" */
static int l_parse(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  long long code;
  switch (imerr_parse_code(text, len, &code)) {
  case IMERR_OK:
    lua_pushinteger(L, (lua_Integer)code);
    return 1;
  case IMERR_ERANGE:
    lua_pushnil(L);
    lua_pushliteral(L, "range");
    return 2;
  default:
    lua_pushnil(L);
    lua_pushliteral(L, "syntax");
    return 2;
  }
}

/*
** Data stored by tools/imerr_cdata.lua: a value is (index << 3) | kind,
** a table narr values from values[first], then nrec key, value pairs.
*/
typedef struct imerr_data_table {
  unsigned first;
  unsigned short narr, nrec;
} imerr_data_table;

enum { D_FALSE, D_TRUE, D_INT, D_NUMBER, D_STRING, D_TABLE };

typedef struct data_pools {
  const long long *ints;
  const double *numbers;
  const char *const *strings;
  const imerr_data_table *tables;
  const unsigned *values;
} data_pools;

/* The REST API catalogue (tools/gen_apis.lua). */
#include "imerr_apis.inc"

static const data_pools apis = {imerr_apis_ints, imerr_apis_numbers,
                                imerr_apis_strings, imerr_apis_tables,
                                imerr_apis_values};

/* Pushes a fresh Lua value of v, tables made at their final size. */
static void push_data(lua_State *L, const data_pools *d, unsigned v) {
  unsigned i = v >> 3, k;
  const imerr_data_table *t;
  switch (v & 7) {
  case D_FALSE:
  case D_TRUE:
    lua_pushboolean(L, (v & 7) == D_TRUE);
    return;
  case D_INT:
    lua_pushinteger(L, (lua_Integer)d->ints[i]);
    return;
  case D_NUMBER:
    lua_pushnumber(L, (lua_Number)d->numbers[i]);
    return;
  case D_STRING:
    lua_pushstring(L, d->strings[i]);
    return;
  }
  t = &d->tables[i];
  luaL_checkstack(L, 4, NULL); /* the generator bounds the depth */
  lua_createtable(L, t->narr, t->nrec);
  for (k = 0; k < t->narr; k++) {
    push_data(L, d, d->values[t->first + k]);
    lua_rawseti(L, -2, (int)k + 1);
  }
  for (k = 0; k < t->nrec; k++) {
    push_data(L, d, d->values[t->first + t->narr + 2 * k]);
    push_data(L, d, d->values[t->first + t->narr + 2 * k + 1]);
    lua_rawset(L, -3);
  }
}

/* core.api_find(path) -> the index of the API with that exact path, or
   nil: a binary search in path order. */
static int l_api_find(lua_State *L) {
  size_t len, lo = 0, hi = IMERR_APIS_COUNT;
  const char *path = luaL_checklstring(L, 1, &len);
  if (strlen(path) == len) {
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      int cmp = strcmp(path, imerr_apis_strings[imerr_apis_paths[mid]]);
      if (cmp == 0) {
        lua_pushinteger(L, (lua_Integer)mid + 1);
        return 1;
      }
      if (cmp < 0) hi = mid;
      else lo = mid + 1;
    }
  }
  lua_pushnil(L);
  return 1;
}

/* core.api_row(i) -> a fresh table of the i-th API's row (path order), or
   nothing past the end. */
static int l_api_row(lua_State *L) {
  lua_Integer i = luaL_checkinteger(L, 1);
  if (i < 1 || i > IMERR_APIS_COUNT) return 0;
  push_data(L, &apis, imerr_apis_rows[i - 1]);
  return 1;
}

/* core.api_endpoints() -> a fresh list of the data centers' domains
   (data/endpoints.tsv), in file order. */
static int l_api_endpoints(lua_State *L) {
  push_data(L, &apis, IMERR_APIS_ENDPOINTS);
  return 1;
}

/*
** JSON text to Lua values, for imerr's reading of answers and request
** bodies. Integers are kept exact: cjson reads every number as a double,
** so an integer beyond 2^53 (a 64-bit cursor, a 19-digit id) comes back
** rounded. Here an integer literal becomes a Lua integer where one holds
** it (5.3, 5.4; then every integral number is an integer, 70107 and not
** 70107.0), a number where a double holds it exactly (5.1, LuaJIT: up to
** 2^53), else the string of its digits. null is the light userdata NULL,
** as cjson's null. Strings are taken as they are (bytes >= 0x80 and raw
** control bytes pass, as cjson passes them); \u escapes become UTF-8,
** surrogate pairs joined. Objects and arrays nest at most max_depth.
*/

typedef struct json_reader {
  lua_State *L;
  const unsigned char *s;
  size_t i, n;
  int max_depth;
  int wide;          /* a string holds a byte >= 0x80 (given or escaped) */
  const char *error; /* what is wrong, at byte i */
} json_reader;

static int json_fail(json_reader *r, const char *what) {
  r->error = what;
  return 0;
}

static void json_space(json_reader *r) {
  while (r->i < r->n) {
    unsigned char c = r->s[r->i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    r->i++;
  }
}

static int hex_value(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The 4 hex digits at s[i] as a code unit, or -1. */
static long json_hex4(const json_reader *r, size_t i) {
  long v = 0;
  size_t k;
  if (i + 4 > r->n) return -1;
  for (k = i; k < i + 4; k++) {
    int h = hex_value(r->s[k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

/* Adds code point cp as UTF-8. */
static void json_utf8(luaL_Buffer *b, unsigned long cp) {
  char out[4];
  size_t len;
  if (cp < 0x80) {
    out[0] = (char)cp, len = 1;
  } else if (cp < 0x800) {
    out[0] = (char)(0xC0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3F));
    len = 2;
  } else if (cp < 0x10000) {
    out[0] = (char)(0xE0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F)), len = 3;
  } else {
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F)), len = 4;
  }
  luaL_addlstring(b, out, len);
}

/* The escape after the backslash at s[i - 1], into b; i moves past it. */
static int json_escape(json_reader *r, luaL_Buffer *b) {
  static const char plain[] = "\"\\/bfnrt", meant[] = "\"\\/\b\f\n\r\t";
  const char *at;
  long cp, low;
  if (r->i >= r->n) return json_fail(r, "unfinished string");
  at = r->s[r->i] ? strchr(plain, r->s[r->i]) : NULL;
  if (at) {
    luaL_addchar(b, meant[at - plain]);
    r->i++;
    return 1;
  }
  if (r->s[r->i] != 'u') return json_fail(r, "unknown escape in a string");
  cp = json_hex4(r, r->i + 1);
  if (cp < 0) return json_fail(r, "bad \\u escape");
  r->i += 5;
  if (cp >= 0xDC00 && cp <= 0xDFFF)
    return json_fail(r, "\\u escape of a lone low surrogate");
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    if (r->i + 1 >= r->n || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u')
      return json_fail(r, "\\u escape of a lone high surrogate");
    low = json_hex4(r, r->i + 2);
    if (low < 0xDC00 || low > 0xDFFF)
      return json_fail(r, "\\u escape of a lone high surrogate");
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    r->i += 6;
  }
  if (cp >= 0x80) r->wide = 1;
  json_utf8(b, (unsigned long)cp);
  return 1;
}

/* The string whose quote is at s[i], pushed. */
static int json_string(json_reader *r) {
  size_t start = ++r->i;
  luaL_Buffer b;
  while (r->i < r->n) {
    unsigned char c = r->s[r->i];
    if (c == '"') {
      lua_pushlstring(r->L, (const char *)r->s + start, r->i - start);
      r->i++;
      return 1;
    }
    if (c == '\\') break;
    if (c >= 0x80) r->wide = 1;
    r->i++;
  }
  if (r->i >= r->n) return json_fail(r, "unfinished string");
  /* Escapes: the rest is built in a buffer (which holds a stack slot
     until pushed: nothing else is pushed meanwhile). */
  luaL_buffinit(r->L, &b);
  luaL_addlstring(&b, (const char *)r->s + start, r->i - start);
  while (r->i < r->n) {
    unsigned char c = r->s[r->i];
    if (c == '"') {
      luaL_pushresult(&b);
      r->i++;
      return 1;
    }
    if (c == '\\') {
      r->i++;
      if (!json_escape(r, &b)) {
        luaL_pushresult(&b);
        lua_pop(r->L, 1);
        return 0;
      }
      continue;
    }
    if (c >= 0x80) r->wide = 1;
    luaL_addchar(&b, (char)c);
    r->i++;
  }
  luaL_pushresult(&b);
  lua_pop(r->L, 1);
  return json_fail(r, "unfinished string");
}

static int json_digits(json_reader *r) {
  size_t from = r->i;
  while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9') r->i++;
  return r->i > from;
}

/* Pushes the integer literal of nd digits at d (negative: a '-' before
   them): an integer, or a double where it is exact, else its text. */
static void json_integer(json_reader *r, size_t start, size_t d, size_t nd) {
  const unsigned char *s = r->s;
  int negative = d > start;
#if LUA_VERSION_NUM >= 503
  unsigned long long v = 0, limit = 9223372036854775807ULL + negative;
  size_t k;
  for (k = d; k < d + nd; k++) {
    unsigned digit = (unsigned)(s[k] - '0');
    if (v > (limit - digit) / 10) break;
    v = v * 10 + digit;
  }
  if (k == d + nd) {
    if (!negative) lua_pushinteger(r->L, (lua_Integer)v);
    else if (v == 9223372036854775808ULL) lua_pushinteger(r->L, LUA_MININTEGER);
    else lua_pushinteger(r->L, -(lua_Integer)v);
    return;
  }
#else
  if (nd < 16 || (nd == 16 && memcmp(s + d, "9007199254740992", 16) <= 0)) {
    double v = 0;
    size_t k;
    for (k = d; k < d + nd; k++) v = v * 10 + (s[k] - '0');
    lua_pushnumber(r->L, negative ? -v : v);
    return;
  }
#endif
  lua_pushlstring(r->L, (const char *)s + start, d + nd - start);
}

/* The number at s[i] (JSON's grammar), pushed. */
static int json_number(json_reader *r) {
  size_t start = r->i, d;
  int integral = 1;
  if (r->s[r->i] == '-') r->i++;
  d = r->i;
  if (r->i < r->n && r->s[r->i] == '0') r->i++;
  else if (!json_digits(r)) return json_fail(r, "bad number");
  if (r->i < r->n && r->s[r->i] == '.') {
    r->i++, integral = 0;
    if (!json_digits(r)) return json_fail(r, "bad number");
  }
  if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
    r->i++, integral = 0;
    if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-')) r->i++;
    if (!json_digits(r)) return json_fail(r, "bad number");
  }
  if (integral) {
    json_integer(r, start, d, r->i - d);
    return 1;
  }
  /* Lua's own reading of the text (as tonumber reads it). */
  lua_pushlstring(r->L, (const char *)r->s + start, r->i - start);
#if LUA_VERSION_NUM >= 503
  if (lua_stringtonumber(r->L, lua_tostring(r->L, -1)) == 0)
    return json_fail(r, "bad number");
  lua_remove(r->L, -2);
  {
    lua_Number x = lua_tonumber(r->L, -1);
    if (x == floor(x) && x >= -9223372036854775808.0 &&
        x < 9223372036854775808.0) {
      lua_pop(r->L, 1);
      lua_pushinteger(r->L, (lua_Integer)x);
    }
  }
#else
  {
    lua_Number x = lua_tonumber(r->L, -1);
    lua_pop(r->L, 1);
    lua_pushnumber(r->L, x);
  }
#endif
  return 1;
}

static int json_value(json_reader *r, int depth);

/* The object or array whose bracket is at s[i], pushed. */
static int json_container(json_reader *r, int depth) {
  int object = r->s[r->i] == '{';
  unsigned char close = object ? '}' : ']';
  lua_Integer k = 0;
  if (depth > r->max_depth) return json_fail(r, "nested too deep");
  luaL_checkstack(r->L, 4, "JSON nested too deep");
  r->i++;
  lua_createtable(r->L, object ? 0 : 4, object ? 4 : 0);
  json_space(r);
  if (r->i < r->n && r->s[r->i] == close) {
    r->i++;
    return 1;
  }
  for (;;) {
    if (object) {
      if (r->i >= r->n || r->s[r->i] != '"')
        return json_fail(r, "expected a key string");
      if (!json_string(r)) return 0;
      json_space(r);
      if (r->i >= r->n || r->s[r->i] != ':')
        return json_fail(r, "expected ':'");
      r->i++;
      json_space(r);
      if (!json_value(r, depth)) return 0;
      lua_rawset(r->L, -3);
    } else {
      if (!json_value(r, depth)) return 0;
      lua_rawseti(r->L, -2, (int)++k);
    }
    json_space(r);
    if (r->i < r->n && r->s[r->i] == ',') {
      r->i++;
      json_space(r);
      continue;
    }
    if (r->i < r->n && r->s[r->i] == close) {
      r->i++;
      return 1;
    }
    return json_fail(r, object ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

static int json_literal(json_reader *r, const char *word) {
  size_t len = strlen(word);
  if (r->n - r->i < len || memcmp(r->s + r->i, word, len) != 0)
    return json_fail(r, "expected a value");
  r->i += len;
  return 1;
}

/* The value at s[i] (after white space), pushed; depth: the containers
   around it. */
static int json_value(json_reader *r, int depth) {
  unsigned char c;
  if (r->i >= r->n) return json_fail(r, "expected a value");
  c = r->s[r->i];
  if (c == '"') return json_string(r);
  if (c == '{' || c == '[') return json_container(r, depth + 1);
  if (c == '-' || (c >= '0' && c <= '9')) return json_number(r);
  if (c == 't') {
    if (!json_literal(r, "true")) return 0;
    lua_pushboolean(r->L, 1);
  } else if (c == 'f') {
    if (!json_literal(r, "false")) return 0;
    lua_pushboolean(r->L, 0);
  } else if (c == 'n') {
    if (!json_literal(r, "null")) return 0;
    lua_pushlightuserdata(r->L, NULL);
  } else {
    return json_fail(r, "expected a value");
  }
  return 1;
}

/* core.json_decode(text, max_depth) -> the value and whether every string
   in it came from plain ASCII (then each is valid UTF-8 as it is); or nil
   and a message. */
static int l_json_decode(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  json_reader r;
  int top;
  r.L = L, r.s = (const unsigned char *)s, r.i = 0, r.n = n;
  r.max_depth = (int)luaL_checkinteger(L, 2);
  r.wide = 0, r.error = NULL;
  top = lua_gettop(L);
  json_space(&r);
  if (json_value(&r, 0)) {
    json_space(&r);
    if (r.i == r.n) {
      lua_pushboolean(L, !r.wide);
      return 2;
    }
    r.error = "text after the value";
  }
  lua_settop(L, top);
  lua_pushnil(L);
  lua_pushfstring(L, "%s at byte %d", r.error, (int)(r.i + 1));
  return 2;
}

static const luaL_Reg functions[] = {{"count", l_count},
                                     {"at", l_at},
                                     {"column", l_column},
                                     {"tables", l_tables},
                                     {"texts", l_texts},
                                     {"reasons", l_reasons},
                                     {"find", l_find},
                                     {"find_name", l_find_name},
                                     {"parse", l_parse},
                                     {"api_find", l_api_find},
                                     {"api_row", l_api_row},
                                     {"json_decode", l_json_decode},
                                     {NULL, NULL}};

int luaopen_imerr_core(lua_State *L) {
  int k;
  luaL_newlib(L, functions);
  lua_createtable(L, FIELD_COUNT, 0);
  for (k = 0; k < FIELD_COUNT; k++) {
    lua_pushstring(L, field_names[k]);
    lua_rawseti(L, -2, k + 1);
  }
  lua_setfield(L, -2, "fields");
  /* The actions a hint may carry (data/actions.tsv). */
  lua_createtable(L, IMERR_ACTION_COUNT, 0);
  for (k = 0; k < IMERR_ACTION_COUNT; k++) {
    lua_pushstring(L, imerr_actions[k]);
    lua_rawseti(L, -2, k + 1);
  }
  lua_setfield(L, -2, "actions");
  lua_pushcfunction(L, l_api_endpoints);
  lua_setfield(L, -2, "api_endpoints");
  lua_pushinteger(L, IMERR_APIS_COUNT);
  lua_setfield(L, -2, "api_count");
  lua_pushliteral(L, IMERR_VERSION);
  lua_setfield(L, -2, "_VERSION");
  lua_pushinteger(L, (lua_Integer)IMERR_CODE_MIN);
  lua_setfield(L, -2, "CODE_MIN");
  lua_pushinteger(L, (lua_Integer)IMERR_CODE_MAX);
  lua_setfield(L, -2, "CODE_MAX");
  return 1;
}
