/*
** What imerr's C modules (imerr.core, imerr.sig_core) share, included
** after lauxlib.h: IMERR_LUAOPEN, the visibility of a module's luaopen_
** function, the only symbol they export (the builds hide everything
** else); and luaL_newlib where Lua 5.1 lacks it.
*/
#ifndef IMERR_LUAOPEN_H
#define IMERR_LUAOPEN_H

#if defined(_WIN32)
#define IMERR_LUAOPEN __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define IMERR_LUAOPEN __attribute__((visibility("default")))
#else
#define IMERR_LUAOPEN
#endif

#ifndef luaL_newlib /* Lua 5.1 */
#define luaL_newlib(L, l) (lua_newtable(L), luaL_register(L, NULL, l))
#endif

#endif
