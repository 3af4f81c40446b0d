-- PUT /v1/accounts/{id} for an id drawn at random from BENCH_IDS: a partial update that
-- changes only the customer's agent. Every agent value has the same length
-- (agent-0000 to agent-9999), so later GET bodies keep their byte size.
local bench_dir = os.getenv("BENCH_DIR")
dofile(bench_dir .. "/pacing.lua")
dofile(bench_dir .. "/ids.lua")

local ids = bench_read_ids()
local prefix = "/v1/accounts/"
-- wrk.format replaces wrk.headers (the -H options) when given a table, so copy them.
local headers = { ["content-type"] = "application/json" }
for name, value in pairs(wrk.headers) do
  headers[name] = value
end
math.randomseed(os.time())

function request()
  local body = string.format(
    '{"accountType":"Customer","customerAccount":{"agent":"agent-%04d"}}', math.random(0, 9999))
  return wrk.format("PUT", prefix .. ids[math.random(#ids)], headers, body)
end
