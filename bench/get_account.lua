-- GET /v1/accounts/{id} for an id drawn at random from BENCH_IDS, optionally paced.
local bench_dir = os.getenv("BENCH_DIR")
dofile(bench_dir .. "/pacing.lua")
dofile(bench_dir .. "/ids.lua")

local ids = bench_read_ids()
local prefix = "/v1/accounts/"
math.randomseed(os.time())

function request()
  return wrk.format("GET", prefix .. ids[math.random(#ids)])
end
