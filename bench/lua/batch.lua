-- PATCH /mediaLibrary (2026-07): BATCH (100) random distinct seeded entries per call, each with
-- setMetadataProperty (no version), a new value every time.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "threads.lua")
local n = tonumber(os.getenv("ENTRIES"))
local size = tonumber(os.getenv("BATCH") or "100")
wrk.headers["Content-Type"] = "application/json"
local sent = 0
request = function()
  sent = sent + 1
  local items, seen = {}, {}
  while #items < size do
    local i = math.random(0, n - 1)
    if not seen[i] then
      seen[i] = true
      items[#items + 1] = string.format('{"id":"seed%07d","patches":[{"operation":"setMetadataProperty","propertyName":"caption","value":"batch %d-%d-%d"}]}',
        i, thread_id, sent, #items)
    end
  end
  return wrk.format("PATCH", "/api/2026-07/mediaLibrary", nil, '{"entries":[' .. table.concat(items, ",") .. ']}')
end
