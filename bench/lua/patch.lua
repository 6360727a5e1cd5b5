-- PATCH setMetadataProperty (no version) on a random seeded entry.
local n = tonumber(os.getenv("ENTRIES"))
wrk.headers["Content-Type"] = "application/json"
request = function()
  local body = string.format('{"patches":[{"operation":"setMetadataProperty","propertyName":"caption","value":"bench %d"}]}', math.random(1, 1000000))
  return wrk.format("PATCH", string.format("/api/2026-03/mediaLibrary/seed%07d", math.random(0, n - 1)), nil, body)
end
