-- GET BENCH_PREFIX followed by a telephone number drawn at random from BENCH_IDS (E.164
-- digits without +, one a line), optionally paced. BENCH_PREFIX is /v1/numbers/ or
-- /v1/callforwarding/.
local bench_dir = os.getenv("BENCH_DIR")
dofile(bench_dir .. "/pacing.lua")
dofile(bench_dir .. "/ids.lua")

local numbers = bench_read_ids()
local prefix = os.getenv("BENCH_PREFIX")
assert(prefix, "BENCH_PREFIX is not set; it holds the path before the number, such as /v1/numbers/")
math.randomseed(os.time())

function request()
  return wrk.format("GET", prefix .. numbers[math.random(#numbers)])
end
