/*
** IMERR_LUAOPEN: the visibility of a Lua module's luaopen_ function, the
** only symbol imerr's C modules (imerr.core, imerr.sig_core) export; the
** builds hide everything else.
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

#endif
