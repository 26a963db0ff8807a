-- Generates lua/imerr/ambiguous.lua from data/ambiguous.tsv: the codes
-- whose text overrides their reason's ambiguous column. A module of its
-- own, so require "imerr" never loads the REST API catalogue.
-- usage: lua tools/gen_ambiguous.lua DATA_DIR OUTPUT.lua
local here = arg[0]:match("^(.*)[/\\]") or "."
package.path = here .. "/?.lua;" .. package.path
local gen = require "gen_apis"

gen.main("gen_ambiguous", function(dir, known)
  local ambiguous, err = gen.read_ambiguous(dir .. "/ambiguous.tsv", known)
  return ambiguous and gen.render_ambiguous(ambiguous), err
end)
