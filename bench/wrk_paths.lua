-- wrk script for bench_web.py: each request takes a random path from the file named by $WRK_PATHS;
-- at the end it prints one JSON line with the counts and latency percentiles.
local paths = {}
init = function(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\"requests\": %d, \"seconds\": %.2f, \"errors_status\": %d, \"errors_connect\": %d, \"errors_read\": %d, \"errors_timeout\": %d, \"p50_ms\": %.1f, \"p95_ms\": %.1f, \"p99_ms\": %.1f, \"max_ms\": %.1f}\n",
    summary.requests, summary.duration / 1e6, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
