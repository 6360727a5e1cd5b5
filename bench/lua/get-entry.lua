-- GET /mediaLibrary/{id} of a random seeded entry.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "threads.lua")
local n = tonumber(os.getenv("ENTRIES"))
request = function()
  return wrk.format("GET", string.format("/api/2026-03/mediaLibrary/seed%07d", math.random(0, n - 1)))
end
