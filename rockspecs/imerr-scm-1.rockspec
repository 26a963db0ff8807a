rockspec_format = "3.0"
package = "imerr"
version = "scm-1"
source = {
  url = "git+https://example.invalid/imerr.git",
}
description = {
  summary = "Tencent Cloud IM error codes: lookup, names, retry hints",
  detailed = [[
Every Tencent Cloud IM error code as a static C table (600 rows), with a
Lua module on top: look codes up by number or name, and decide what to
do about them (retry, wait, log in again, answer which HTTP status).
Built and tested on Lua 5.1, 5.3 and 5.4 and LuaJIT/OpenResty (not 5.2);
imerr.rest reads JSON with its own reader (integers beyond 2^53 kept
exact): no JSON library is needed.]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.1, < 5.5, ~= 5.2",
}
-- imerr.sig (UserSigs, callback signs) is C on OpenSSL's libcrypto and
-- zlib: Debian's libssl-dev and zlib1g-dev. CMake finds them itself.
external_dependencies = {
  OPENSSL = { header = "openssl/hmac.h", library = "crypto" },
  ZLIB = { header = "zlib.h", library = "z" },
}
build = {
  type = "cmake",
  variables = {
    LUA = "$(LUA)",
    LUA_INCDIR = "$(LUA_INCDIR)",
    LIBDIR = "$(LIBDIR)",
    CMAKE_C_FLAGS = "$(CFLAGS)",
    CMAKE_MODULE_LINKER_FLAGS = "$(LIBFLAG)",
  },
  -- The man page, imerr.1: `luarocks doc imerr` finds it.
  copy_directories = { "doc" },
  install = {
    lua = {
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
    bin = {
      imerr = "bin/imerr",
    },
  },
}
