-- luacheck configuration for imerr.
std = "max"
max_line_length = 80
codes = true
-- `not (x >= y)` is how imerr rejects NaN along with small values.
ignore = { "581" }

files["spec/**/*.lua"] = { std = "+busted", max_line_length = 100 }
files["examples/openresty/**/*.lua"] = { std = "max+ngx_lua" }
files["spec/nginx/mock.lua"] = { std = "max+ngx_lua" }
files["spec/nginx/wrk_post.lua"] = { globals = { "wrk" } }
files["bench/**/*.lua"] = { read_globals = { "jit", "ngx" } }
exclude_files = { "build*/**", ".tree*/**" }
