-- GET /mediaLibrary?ids=… with 100 random seeded ids.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "threads.lua")
local n = tonumber(os.getenv("ENTRIES"))
request = function()
  local ids = {}
  for i = 1, 100 do ids[i] = string.format("seed%07d", math.random(0, n - 1)) end
  return wrk.format("GET", "/api/2026-03/mediaLibrary?ids=" .. table.concat(ids, ","))
end
