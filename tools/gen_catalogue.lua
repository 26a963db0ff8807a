-- Generates docs/codes.md, the catalogue of every code, from data/.
-- usage: lua tools/gen_catalogue.lua DATA_DIR OUTPUT.md
local here = arg[0]:match("^(.*)[/\\]") or "."
package.path = here .. "/?.lua;" .. package.path
local data = require "imerr_data"

local PART_TITLES = { sdk = "IM SDK", server = "Server", sdk_v3 = "IM SDK V3",
  push = "Push service", push_sdk = "Push client SDK", web_sdk = "Web SDK" }

-- Text for one Markdown table cell.
local function cell(v)
  return (tostring(v):gsub("|", "\\|"):gsub("\n", "<br>"))
end

local function count_by(rows, key)
  local counts = {}
  for _, r in ipairs(rows) do counts[r[key]] = (counts[r[key]] or 0) + 1 end
  return counts
end

-- Rows of one part and source, by section, then by code.
local function select(rows, part, source)
  local out = {}
  for _, r in ipairs(rows) do
    if r.part == part and r.source == source then out[#out + 1] = r end
  end
  table.sort(out, function(a, b)
    if a.section ~= b.section then return a.section < b.section end
    return a.code < b.code
  end)
  return out
end

local function render(rows, reasons, data_dir, sources, actions)
  local groups = assert(data.read_tsv(data_dir .. "/classes.tsv"))

  local out = {}
  local function add(line) out[#out + 1] = line end
  local function row(...)
    local cells = {}
    for i, v in ipairs { ... } do cells[i] = cell(v) end
    add("| " .. table.concat(cells, " | ") .. " |")
  end

  local counts = count_by(rows, "class")
  local by_reason = count_by(rows, "reason")
  local by_source = count_by(rows, "source")
  local by_part = count_by(rows, "part")

  add("# Tencent Cloud IM error codes")
  add("")
  add("Generated from `data/` by `tools/gen_catalogue.lua`; do not edit.")
  add(("%d rows: %d ok, %d transient, %d fatal."):format(#rows,
    counts.ok or 0, counts.transient or 0, counts.fatal or 0))
  add("")
  add("## Sources")
  add("")
  add("Each row names the source it comes from. Rows of `page-2020` keep " ..
    "that page's text; the others are described in imerr's words. " ..
    "_Changed since_ says what Tencent has changed since the source.")
  add("")
  row("source", "rows", "what", "holds")
  row("---", "---", "---", "---")
  for _, s in ipairs(sources) do
    row("`" .. s.source .. "`", by_source[s.source] or 0, s.title, s.where)
  end
  add("")
  row("part", "rows")
  row("---", "---")
  for _, part in ipairs(data.PARTS) do
    row(("`%s` (%s)"):format(part, PART_TITLES[part]), by_part[part] or 0)
  end
  add("")
  add("## Reasons")
  add("")
  row("reason", "class", "HTTP", "severity", "codes", "meaning")
  row("---", "---", "---", "---", "---", "---")
  for _, r in ipairs(reasons) do
    row(r.reason, r.class, r.http_status, r.severity, by_reason[r.reason] or 0,
      r.meaning)
  end

  add("")
  add("## Actions")
  add("")
  add("What the caller does about a code (`data/actions.tsv`).")
  add("")
  row("action", "class", "codes", "meaning")
  row("---", "---", "---", "---")
  for _, a in ipairs(actions) do
    local n = 0
    for _, r in ipairs(rows) do
      if r.action == a.action and r.class == a.class then n = n + 1 end
    end
    row(a.action, a.class, n, a.meaning)
  end

  for _, part in ipairs(data.PARTS) do
    for _, source in ipairs(sources) do
      local selected = select(rows, part, source.source)
      if #selected > 0 then
        add("")
        add(("## %s, from `%s`"):format(PART_TITLES[part], source.source))
        add("")
        row("code", "section", "name", "class", "reason", "action",
          "min delay", "HTTP", "severity", "message")
        row("---", "---", "---", "---", "---", "---", "---", "---", "---",
          "---")
        for _, r in ipairs(selected) do
          local code = r.last ~= r.code and r.code .. "-" .. r.last or r.code
          local name = r.official and "`" .. r.name .. "`" or
            "`" .. r.name .. "` (unofficial)"
          local message = r.change == "" and r.message or
            r.message .. "\n_Changed since:_ " .. r.change
          row(code, r.section, name, r.class, r.reason, r.action,
            r.min_delay > 0 and r.min_delay .. " s" or "", r.http_status,
            r.severity, message)
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
