-- Generates docs/codes.md, the catalogue of every code, from data/.
-- usage: lua tools/gen_catalogue.lua DATA_DIR OUTPUT.md
local here = arg[0]:match("^(.*)[/\\]") or "."
package.path = here .. "/?.lua;" .. package.path
local data = require "imerr_data"

local function render(rows, reasons, data_dir)
  local groups = assert(data.read_tsv(data_dir .. "/classes.tsv"))

  -- Text for one Markdown table cell.
  local function cell(v)
    return (tostring(v):gsub("|", "\\|"):gsub("\n", "<br>"))
  end

  local out = {}
  local function add(line) out[#out + 1] = line end
  local function row(...)
    local cells = {}
    for i, v in ipairs { ... } do cells[i] = cell(v) end
    add("| " .. table.concat(cells, " | ") .. " |")
  end

  local counts, by_reason = {}, {}
  for _, r in ipairs(rows) do
    counts[r.class] = (counts[r.class] or 0) + 1
    by_reason[r.reason] = (by_reason[r.reason] or 0) + 1
  end

  add("# Tencent Cloud IM error codes")
  add("")
  add("Generated from `data/` by `tools/gen_catalogue.lua`; do not edit.")
  add(("%d rows: %d ok, %d transient, %d fatal."):format(#rows,
    counts.ok or 0, counts.transient or 0, counts.fatal or 0))
  add("")
  add("## Reasons")
  add("")
  row("reason", "class", "HTTP", "severity", "codes", "meaning")
  row("---", "---", "---", "---", "---", "---")
  for _, r in ipairs(reasons) do
    row(r.reason, r.class, r.http_status, r.severity, by_reason[r.reason] or 0,
      r.meaning)
  end

  local PARTS = { { "sdk", "IM SDK" }, { "server", "Server" },
    { "sdk_v3", "IM SDK V3" } }
  for _, part in ipairs(PARTS) do
    local sections, seen = {}, {}
    for _, r in ipairs(rows) do
      if r.part == part[1] and not seen[r.section] then
        seen[r.section] = true
        sections[#sections + 1] = r.section
      end
    end
    table.sort(sections)
    for _, section in ipairs(sections) do
      add("")
      add(("## %s: %s"):format(part[2], section))
      add("")
      row("code", "name", "class", "reason", "action", "min delay", "HTTP",
        "severity", "message")
      row("---", "---", "---", "---", "---", "---", "---", "---", "---")
      for _, r in ipairs(rows) do
        if r.part == part[1] and r.section == section then
          local code = r.last ~= r.code and r.code .. "-" .. r.last or r.code
          local name = r.official and "`" .. r.name .. "`" or
            "`" .. r.name .. "` (unofficial)"
          row(code, name, r.class, r.reason, r.action,
            r.min_delay > 0 and r.min_delay .. " s" or "", r.http_status,
            r.severity, r.message)
        end
      end
    end
  end

  add("")
  add("## Why each code is classified as it is")
  add("")
  row("reason", "action", "codes", "why")
  row("---", "---", "---", "---")
  for _, g in ipairs(groups) do
    local min = g.min_delay ~= "" and (" (at least %s s)"):format(g.min_delay)
      or ""
    row(g.reason, g.action .. min, g.codes, g.why)
  end

  return table.concat(out, "\n") .. "\n"
end

data.generate("gen_catalogue", render)
