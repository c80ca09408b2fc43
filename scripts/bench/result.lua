-- wrk reporting for ./stack bench: one machine-readable line after a run.
--   RESULT <requests/s> <p50 ms> <p99 ms> <requests> <errors> <non-2xx/3xx>
-- errors counts every failed request: connect, read, write, timeout and status >= 400.
local M = {}

function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.timeout + e.status, e.status))
end

return M
