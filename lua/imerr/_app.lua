--- imerr._app: an SDKAppID as imerr's limiters key it, and the name of
-- Tencent's over-limit alert that carries one (internal): what
-- imerr.ratelimit and imerr.callback.over_limit must agree on.
local type, floor = type, math.floor

local _M = {}

-- SDKAppIDs are whole numbers in 1 .. 2^32-1 (Tencent's have 10 digits).
local MAX_APP, MAX_APP_TEXT = 4294967295, "4294967295"

--- An SDKAppID's canonical decimal text (1400000001, "1400000001" and
-- "01400000001" give "1400000001"), or nil for anything that is none.
function _M.key(app)
  if type(app) == "string" then
    if #app > 20 or not app:find("^%d+$") then return nil end
    app = app:gsub("^0+", "")
    -- digits compare as numbers when they are as many
    if app == "" or #app > #MAX_APP_TEXT or
      (#app == #MAX_APP_TEXT and app > MAX_APP_TEXT) then
      return nil
    end
    return app
  end
  if type(app) ~= "number" or app ~= floor(app) or app < 1 or
    app > MAX_APP then
    return nil
  end
  return ("%d"):format(app)
end

--- The CallbackCommand of Tencent's over-limit alert, which
-- imerr.callback reads and imerr.ratelimit's limiters observe.
_M.OVER_LIMIT = "Alert.RequestOverLimit"

return _M
