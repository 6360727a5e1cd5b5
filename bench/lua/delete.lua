-- DELETE /mediaLibrary/{id} of seeded entries, each once: thread t of 2 takes every second id
-- from t - 1 on. lifecycle.sh's routine already deleted the entries whose i / 10 % 10 is 0: skipped.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "threads.lua")
local n = tonumber(os.getenv("ENTRIES"))
local next_id = nil
request = function()
  if next_id == nil then next_id = thread_id - 1 end
  while math.floor(next_id / 10) % 10 == 0 do next_id = next_id + 2 end
  local id = next_id
  next_id = next_id + 2
  return wrk.format("DELETE", string.format("/api/2026-07/mediaLibrary/seed%07d", id % n))
end
