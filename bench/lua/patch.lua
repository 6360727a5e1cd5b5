-- PATCH setMetadataProperty (no version) on a random seeded entry, a new value every time (so
-- every answer is a write, which run.sh's lost-update check counts).
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "threads.lua")
local n = tonumber(os.getenv("ENTRIES"))
wrk.headers["Content-Type"] = "application/json"
local sent = 0
request = function()
  sent = sent + 1
  local body = string.format('{"patches":[{"operation":"setMetadataProperty","propertyName":"caption","value":"bench %d-%d-%d"}]}', thread_id, sent, math.random(1, 1000000000))
  return wrk.format("PATCH", string.format("/api/2026-03/mediaLibrary/seed%07d", math.random(0, n - 1)), nil, body)
end
