-- Every request asks for a variant nobody asked for before: the same 400-px box, a different
-- (never limiting) height each time. PATH_PREFIX comes from the environment.
local prefix = os.getenv("VARIANT_PATH")
local format = os.getenv("VARIANT_FORMAT") or "webp"
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = 2000 + id * 3000
end

function request()
  counter = counter + 1
  return wrk.format("GET", prefix .. "?w=400&fm=" .. format .. "&h=" .. counter)
end
