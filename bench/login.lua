-- POST /v1/oauth2/authorize with valid credentials as a form body, for the login storm.
-- BENCH_LOGIN_BODY carries the url-encoded username, password and instance. At the end
-- it prints one "status CODE: COUNT" line per HTTP status, because a server may shed
-- logins it cannot hash in time (Numberline returns 503 when its hashing pool is full).
local body = os.getenv("BENCH_LOGIN_BODY")
assert(body, "BENCH_LOGIN_BODY is not set; it holds username=...&password=...&instance=...")

wrk.method = "POST"
wrk.body = body
wrk.headers["content-type"] = "application/x-www-form-urlencoded"

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

status_counts = {}

function response(status, headers, body)
  status_counts[status] = (status_counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("status_counts")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  for status, count in pairs(totals) do
    io.write(string.format("status %d: %d\n", status, count))
  end
end
