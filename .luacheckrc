-- luacheck configuration for imerr.
std = "max"
max_line_length = 80
codes = true

files["spec/**/*.lua"] = { std = "+busted", max_line_length = 100 }
files["examples/openresty/**/*.lua"] = { globals = {}, read_globals = { "ngx" } }
files["bench/**/*.lua"] = { read_globals = { "jit", "ngx" } }
exclude_files = { "build*/**", ".tree*/**" }
