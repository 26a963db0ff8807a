-- Example alert rules for imerr.alert: load with
--   local rules = assert(require("imerr.alert").rules(dofile(path)))
-- and feed every code a service sees to rules:observe(code, now).
return {
  -- Any critical code: the app's setup or a plan quota needs a person.
  { name = "page_on_critical", match = { severity = "critical" } },
  -- Auth trouble on the server side: UserSigs expire en masse.
  { name = "usersig_expiring", match = { reason = "auth", part = "server" },
    more_than = 20, window = 60 },
  -- More than 100 rate-limited answers a minute: slow the callers down.
  { name = "rate_limited", match = { reason = "rate_limited" },
    more_than = 100, window = 60 },
  -- Tencent's backend failing for group calls.
  { name = "group_backend", match = { class = "transient",
    section = "group" }, more_than = 50, window = 60 },
}
