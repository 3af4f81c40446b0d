-- GET of the fixed path given on the wrk command line, optionally paced (pacing.lua).
-- The headers come from wrk's -H options.
dofile(os.getenv("BENCH_DIR") .. "/pacing.lua")
