--- Secrets that nginx.conf names (the proxy's key, the callback tokens):
-- read from a file or an environment variable, once per worker, at first
-- use, and kept in the worker's memory (never in a shared dict). The text
-- is split at white space into words: a key is one word, callback tokens
-- one or two (the current one, then the previous one during a rotation).
-- A secret never appears in a message: messages name the file or the
-- variable only. A worker reads a source once, whatever came of it: a
-- change (a rotation, a fixed file) takes effect when nginx reloads.
local type, pcall, tostring = type, pcall, tostring

local _M = {}

--- Most bytes read from a file: a key or two tokens are far shorter.
_M.MAX_FILE = 4096

-- Results by source ("file\0path" or "env\0NAME"): { words } or { err }.
local cache = {}

local function split(text)
  local words = {}
  for w in text:gmatch("%S+") do words[#words + 1] = w end
  return words
end

local function from_file(path)
  local f, err = io.open(path, "rb")
  -- (io.open's message is the path and the system's reason)
  if not f then return nil, "cannot open " .. tostring(err) end
  local ok, text = pcall(f.read, f, _M.MAX_FILE + 1)
  f:close()
  if not ok or type(text) ~= "string" then
    return nil, "cannot read " .. path
  end
  if #text > _M.MAX_FILE then
    return nil, path .. " holds more than " .. _M.MAX_FILE .. " bytes"
  end
  local words = split(text)
  if #words == 0 then return nil, path .. " is empty" end
  return words
end

-- false when the variable is unset or blank: nothing is configured.
local function from_env(name)
  local text = os.getenv(name)
  if not text then return false end
  local words = split(text)
  if #words == 0 then return false end
  return words
end

--- words(file, env) -> the words of the secret, or false when neither a
-- file nor a set environment variable names one, or nil and a message
-- (naming the file or the variable, never the secret).
-- A file, when named (not ""), wins over the variable. nginx passes an
-- environment variable to its workers only when nginx.conf names it in
-- an `env NAME;` line.
function _M.words(file, env)
  local use_file = file and file ~= ""
  local source
  if use_file then
    source = "file\0" .. file
  elseif env and env ~= "" then
    source = "env\0" .. env
  else
    return false
  end
  local got = cache[source]
  if got then return got[1], got[2] end
  local words, err
  if use_file then
    words, err = from_file(file)
  else
    words = from_env(env)
  end
  cache[source] = { words, err }
  return words, err
end

--- Where words(file, env) reads, for a message: "file PATH" or
-- "variable NAME" (never the secret).
function _M.source_name(file, env)
  return file ~= "" and "file " .. file or "variable " .. env
end

return _M
