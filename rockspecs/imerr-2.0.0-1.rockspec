-- The release rock: LuaRocks' builtin backend, a C compiler alone (the C
-- tables are checked in as src/imerr_rows.inc and src/imerr_apis.inc).
-- scripts/release.sh makes the tarball it names;
-- rockspecs/imerr-scm-1.rockspec builds a checkout.
rockspec_format = "3.0"
package = "imerr"
version = "2.0.0-1"
source = {
  url = "imerr-2.0.0.tar.gz",
  dir = "imerr-2.0.0",
}
description = {
  summary = "Tencent Cloud IM error codes: lookup, names, retry hints",
  detailed = [[
Every Tencent Cloud IM error code as a static C table (600 rows), with a
Lua module on top: look codes up by number or name, and decide what to
do about them (retry, wait, log in again, answer which HTTP status).
Built and tested on Lua 5.1, 5.3 and 5.4 and LuaJIT/OpenResty (not 5.2);
a command-line tool, imerr. imerr.rest reads JSON with its own reader
(integers beyond 2^53 kept exact): no JSON library is needed.]],
  license = "MIT",
  labels = { "tencent", "im", "error-codes", "retry" },
}
dependencies = {
  "lua >= 5.1, < 5.5, ~= 5.2",
}
-- imerr.sig (UserSigs, callback signs) is C on OpenSSL's libcrypto and
-- zlib: Debian's libssl-dev and zlib1g-dev.
external_dependencies = {
  OPENSSL = { header = "openssl/hmac.h", library = "crypto" },
  ZLIB = { header = "zlib.h", library = "z" },
}
build = {
  type = "builtin",
  modules = {
    ["imerr.core"] = {
      sources = { "src/imerr_lua.c" }, -- it includes imerr.c
      incdirs = { "src" },
      -- The C core stays private: the module exports luaopen_imerr_core.
      defines = { "IMERR_EMBED" },
    },
    -- The second C module: UserSigs and callback signs (lua/imerr/sig.lua).
    ["imerr.sig_core"] = {
      sources = { "src/imerr_sig_lua.c", "src/imerr_sig.c" },
      incdirs = { "src", "$(OPENSSL_INCDIR)", "$(ZLIB_INCDIR)" },
      libdirs = { "$(OPENSSL_LIBDIR)", "$(ZLIB_LIBDIR)" },
      libraries = { "crypto", "z" },
    },
    ["imerr.init"] = "lua/imerr/init.lua",
    ["imerr.retry"] = "lua/imerr/retry.lua",
    ["imerr._budget"] = "lua/imerr/_budget.lua",
    ["imerr.store"] = "lua/imerr/store.lua",
    ["imerr.ratelimit"] = "lua/imerr/ratelimit.lua",
    ["imerr.rest"] = "lua/imerr/rest.lua",
    ["imerr.api"] = "lua/imerr/api.lua",
    ["imerr.sig"] = "lua/imerr/sig.lua",
    ["imerr._callback_verify"] = "lua/imerr/_callback_verify.lua",
    ["imerr.callback"] = "lua/imerr/callback.lua",
    ["imerr._matcher"] = "lua/imerr/_matcher.lua",
    ["imerr.alert"] = "lua/imerr/alert.lua",
    ["imerr._hint"] = "lua/imerr/_hint.lua",
    ["imerr._private"] = "lua/imerr/_private.lua",
    ["imerr._app"] = "lua/imerr/_app.lua",
    ["imerr._rows"] = "lua/imerr/_rows.lua",
    ["imerr._json"] = "lua/imerr/_json.lua",
    ["imerr._error"] = "lua/imerr/_error.lua",
    ["imerr._limits"] = "lua/imerr/_limits.lua",
    ["imerr._catalogue"] = "lua/imerr/_catalogue.lua",
    ["imerr._random"] = "lua/imerr/_random.lua",
    ["imerr._decode"] = "lua/imerr/_decode.lua",
    ["imerr._discover"] = "lua/imerr/_discover.lua",
    ["imerr._request"] = "lua/imerr/_request.lua",
  },
  install = {
    bin = {
      imerr = "bin/imerr",
    },
  },
  -- The man page, imerr.1: `luarocks doc imerr` finds it.
  copy_directories = { "doc" },
}
