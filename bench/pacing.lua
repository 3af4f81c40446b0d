-- Optional fixed-rate pacing for wrk, loaded by the scenario scripts with dofile.
--
-- When BENCH_RATE (requests per second, summed over all connections of one wrk
-- thread) is set above 0, every connection reserves the next free send slot on a
-- shared schedule and wrk's delay() hook delays the request until that slot. wrk
-- starts its latency clock when the request is written, so a reported latency
-- excludes the wait for the slot. NOTE: a connection still waits for its previous
-- response before it reserves a slot, so if every connection is busy the rate
-- falls below BENCH_RATE instead of queueing (wrk reports the achieved rate).
-- Unset or 0 leaves wrk unpaced.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]

local CLOCK_MONOTONIC = 1
local timespec = ffi.new("bench_timespec")

local function monotonic_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000.0 + tonumber(timespec.tv_nsec) / 1e6
end

local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0

if rate > 0 then
  local interval_ms = 1000.0 / rate
  local next_slot_ms = nil

  -- wrk calls delay() before each request and waits that many milliseconds.
  function delay()
    local now = monotonic_ms()
    if next_slot_ms == nil or next_slot_ms < now then
      -- Behind schedule: send now and do not burst to catch up.
      next_slot_ms = now
    end
    local slot = next_slot_ms
    next_slot_ms = next_slot_ms + interval_ms
    return math.floor(slot - now + 0.5)
  end
end
