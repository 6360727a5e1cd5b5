-- Shared by the scripts with random ids: wrk gives each thread its own Lua state with the same
-- random seed, so without this both threads would send the same sequence of requests.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + thread_id)
end
