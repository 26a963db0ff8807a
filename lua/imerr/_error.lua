--- imerr._error: the one shape of imerr's error tables (internal).
-- An expected failure is nil and err, where err is a string or a table
-- made here: a plain table of fields (reason, code, name, info,
-- request_id, ...) whose metatable gives one bounded line for tostring,
-- print and ngx.log: "reason [code NAME] info (request ID)".
-- imerr._json, loaded by the first error printed.
local json

local type, tostring = type, tostring
local concat = table.concat

local _M = {}

-- Bytes of info and of the request id that the line carries at most:
-- with the reason, code and name, a line stays under 600 bytes.
local LINE_INFO, LINE_REQUEST = 400, 80

local function text(v, max)
  if type(v) ~= "string" then return nil end
  json = json or require "imerr._json"
  return json.clip(v, max)
end

local function line(err)
  local parts = { tostring(err.reason or "error") }
  local code = err.code
  if type(code) == "number" or type(code) == "string" then
    local name = type(err.name) == "string" and " " .. err.name or ""
    parts[#parts + 1] = "[" .. tostring(code) .. name:sub(1, 80) .. "]"
  end
  local info = text(err.info, LINE_INFO)
  if info and info ~= "" then parts[#parts + 1] = info end
  local request = text(err.request_id, LINE_REQUEST)
  if request and request ~= "" then
    parts[#parts + 1] = "(request " .. request .. ")"
  end
  -- One line: a control byte in the answer's text becomes a space.
  return (concat(parts, " "):gsub("%c", " "))
end

local MT = { __tostring = line }
--- The metatable of error tables, for the modules that make them (one
-- constructor call each).
_M.MT = MT

return _M
