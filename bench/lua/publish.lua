-- POST /import/documents: one `regular` document (the `web` purpose) of 1,000, published with
-- REFS (50) image components referencing random seeded entries.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "threads.lua")
local n = tonumber(os.getenv("ENTRIES"))
local refs = tonumber(os.getenv("REFS") or "50")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local components = {}
  for i = 1, refs do
    components[i] = string.format('{"id":"c%d","component":"image","content":{"image":{"mediaId":"seed%07d"}}}', i, math.random(0, n - 1))
  end
  local body = string.format('{"systemName":"bench","documents":[{"externalId":"story-%d","contentType":"regular","title":"Story","publish":true,"content":[%s]}]}',
    math.random(1, 1000), table.concat(components, ","))
  return wrk.format(nil, "/api/2026-07/import/documents", nil, body)
end
