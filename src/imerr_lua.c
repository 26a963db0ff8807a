/*
** imerr.core: the C table for Lua (5.1, LuaJIT 2.1, 5.3, 5.4).
** A thin mirror of imerr.h; Lua code in imerr/init.lua builds its own
** tables from it at require time, so hot paths never come back here.
*/
#include <string.h>

#include "lauxlib.h"
#include "lua.h"

#include "imerr.h"

/*
** The module's only exported symbol. Builds compile the C core into the
** module with IMERR_EMBED defined, so none of imerr_* is exported.
*/
#if defined(_WIN32)
#define IMERR_LUAOPEN __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define IMERR_LUAOPEN __attribute__((visibility("default")))
#else
#define IMERR_LUAOPEN
#endif

IMERR_LUAOPEN int luaopen_imerr_core(lua_State *L);

#ifndef luaL_newlib /* Lua 5.1 */
#define luaL_newlib(L, l) (lua_newtable(L), luaL_register(L, NULL, l))
#endif

/* Row index 1..count as a Lua value, or nil. */
static int push_index(lua_State *L, const imerr_entry *e) {
  if (e == NULL) lua_pushnil(L);
  else lua_pushinteger(L, (lua_Integer)(e - imerr_at(0)) + 1);
  return 1;
}

/* core.count() -> number of rows */
static int l_count(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)imerr_count());
  return 1;
}

/* Number of values core.at returns, and core.column's largest field. */
#define ROW_FIELDS 16

/*
** Pushes field k (1..ROW_FIELDS) of a row: code, last, name, official,
** part, section, message, class, reason, action, severity, min_delay
** (seconds), http_status, source, change (nil when there is none),
** ambiguous.
*/
static void push_field(lua_State *L, const imerr_entry *e, int k) {
  switch (k) {
  case 1:
    lua_pushinteger(L, (lua_Integer)e->code);
    break;
  case 2:
    lua_pushinteger(L, (lua_Integer)e->last);
    break;
  case 3:
    lua_pushstring(L, e->name);
    break;
  case 4:
    lua_pushboolean(L, e->official);
    break;
  case 5:
    lua_pushstring(L, e->part);
    break;
  case 6:
    lua_pushstring(L, e->section);
    break;
  case 7:
    lua_pushstring(L, e->message);
    break;
  case 8:
    lua_pushstring(L, e->retry_class);
    break;
  case 9:
    lua_pushstring(L, e->reason);
    break;
  case 10:
    lua_pushstring(L, e->action);
    break;
  case 11:
    lua_pushstring(L, e->severity);
    break;
  case 12:
    if (e->min_delay_ms % 1000 == 0)
      lua_pushinteger(L, (lua_Integer)(e->min_delay_ms / 1000));
    else lua_pushnumber(L, (lua_Number)e->min_delay_ms / 1000);
    break;
  case 13:
    lua_pushinteger(L, (lua_Integer)e->http_status);
    break;
  case 14:
    lua_pushstring(L, e->source);
    break;
  case 15:
    if (e->change[0] == '\0') lua_pushnil(L);
    else lua_pushstring(L, e->change);
    break;
  default:
    lua_pushboolean(L, e->ambiguous);
  }
}

/*
** core.at(i) -> code, last, name, official, part, section, message,
** class, reason, action, severity, min_delay (seconds), http_status,
** source, change (nil when there is none), ambiguous
*/
static int l_at(lua_State *L) {
  lua_Integer i = luaL_checkinteger(L, 1);
  const imerr_entry *e = i >= 1 ? imerr_at((size_t)(i - 1)) : NULL;
  int k;
  if (e == NULL) return 0;
  luaL_checkstack(L, ROW_FIELDS, NULL);
  for (k = 1; k <= ROW_FIELDS; k++) push_field(L, e, k);
  return ROW_FIELDS;
}

/*
** core.column(k) -> the list of the k-th value of core.at for every row,
** sized once: one call instead of a call per row, and no table grows.
*/
static int l_column(lua_State *L) {
  lua_Integer k = luaL_checkinteger(L, 1);
  size_t i, n = imerr_count();
  luaL_argcheck(L, k >= 1 && k <= ROW_FIELDS, 1, "no such field");
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    push_field(L, imerr_at(i), (int)k);
    lua_rawseti(L, -2, (int)i + 1);
  }
  return 1;
}

/*
** core.new_table(narray, nhash) -> an empty table sized for that many
** entries: what LuaJIT's table.new does, for every Lua (no rehash while
** imerr fills its indexes at require).
*/
static int l_new_table(lua_State *L) {
  lua_Integer na = luaL_checkinteger(L, 1), nh = luaL_checkinteger(L, 2);
  luaL_argcheck(L, na >= 0 && na <= 1 << 20, 1, "out of range");
  luaL_argcheck(L, nh >= 0 && nh <= 1 << 20, 2, "out of range");
  lua_createtable(L, (int)na, (int)nh);
  return 1;
}

/*
** core.reason_at(i) -> name, meaning, class, http_status, severity,
** ambiguous
*/
static int l_reason_at(lua_State *L) {
  lua_Integer i = luaL_checkinteger(L, 1);
  const imerr_reason *r = i >= 1 ? imerr_reason_at((size_t)(i - 1)) : NULL;
  if (r == NULL) return 0;
  lua_pushstring(L, r->name);
  lua_pushstring(L, r->meaning);
  lua_pushstring(L, r->retry_class);
  lua_pushinteger(L, (lua_Integer)r->http_status);
  lua_pushstring(L, r->severity);
  lua_pushboolean(L, r->ambiguous);
  return 6;
}

/* core.find(code) -> row index or nil; code must be an integral number */
static int l_find(lua_State *L) {
  lua_Number n = luaL_checknumber(L, 1);
  /* Range first: it makes the cast defined, and NaN fails it. */
  if (!(n >= (lua_Number)IMERR_CODE_MIN && n <= (lua_Number)IMERR_CODE_MAX) ||
      n != (lua_Number)(long long)n)
    return push_index(L, NULL);
  return push_index(L, imerr_find((long long)n));
}

/* core.find_name(name) -> row index or nil */
static int l_find_name(lua_State *L) {
  size_t len;
  const char *name = luaL_checklstring(L, 1, &len);
  if (strlen(name) != len) return push_index(L, NULL); /* embedded NUL */
  return push_index(L, imerr_find_name(name));
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

static const luaL_Reg functions[] = {
    {"count", l_count},   {"at", l_at},
    {"column", l_column}, {"new_table", l_new_table},
    {"find", l_find},     {"find_name", l_find_name},
    {"parse", l_parse},   {"reason_at", l_reason_at},
    {NULL, NULL}};

int luaopen_imerr_core(lua_State *L) {
  luaL_newlib(L, functions);
  lua_pushliteral(L, IMERR_VERSION);
  lua_setfield(L, -2, "_VERSION");
  lua_pushinteger(L, (lua_Integer)IMERR_CODE_MIN);
  lua_setfield(L, -2, "CODE_MIN");
  lua_pushinteger(L, (lua_Integer)IMERR_CODE_MAX);
  lua_setfield(L, -2, "CODE_MAX");
  return 1;
}
