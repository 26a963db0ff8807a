-- luacheck configuration for imerr.
-- std "min": only what Lua 5.1, 5.2, 5.3, 5.4 and LuaJIT all have, so code
-- that works on one version and not on another is caught. Each exception
-- below is named, with where it is used and why it is safe there.
std = "min"
max_line_length = 80
codes = true
-- `not (x >= y)` is how imerr rejects NaN along with small values.
ignore = { "581" }

-- 5.1/5.2+ differences, used only behind a test of which one is there:
read_globals = {
  -- Lua 5.2+: rest.lua reads ErrorList with rawlen when it exists.
  "rawlen",
  -- Lua 5.1 / LuaJIT: unpack, setfenv, loadstring; 5.2+: table.unpack.
  "unpack", "setfenv", "loadstring",
  table = { fields = { "unpack" } },
  -- Lua 5.3+: rest.lua gives integral codes and ids as integers with
  -- math.tointeger when it exists.
  math = { fields = { "tointeger" } },
  -- package.loaders (5.1) and package.searchers (5.2+), for specs that
  -- hide a module from require.
  package = { fields = { "loaders", "searchers" } },
}

files["spec/**/*.lua"] = { std = "+busted", max_line_length = 100 }
-- LuaJIT's jit module, read by the trace check.
files["spec/jit_spec.lua"] = { read_globals = { "jit" } }
files["spec/ratelimit_spec.lua"] = { read_globals = { "jit" } }
-- Lua 5.1's newproxy: a userdata with a metatable, as ngx.shared.DICT is.
files["spec/store_spec.lua"] = { read_globals = { "newproxy" } }
files["examples/openresty/**/*.lua"] = { std = "min+ngx_lua" }
files["spec/nginx/mock.lua"] = { std = "min+ngx_lua" }
files["spec/nginx/wrk_post.lua"] = { globals = { "wrk" } }
files["bench/**/*.lua"] = { read_globals = { "jit", "ngx" } }
exclude_files = { "build*/**", ".tree*/**", "dist/**" }
