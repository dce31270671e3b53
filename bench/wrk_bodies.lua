-- wrk script: POSTs pre-signed request bodies, each exactly once, and ends with one JSON line.
--
--   wrk -t T -c C -d D -s bench/wrk_bodies.lua http://127.0.0.1:PORT -- BODIES T [PATH]
--
-- BODIES has one request body per line (`phat_node_bench queries` writes them). The node refuses
-- a signed query it has already run (409), so no body may be sent twice: thread i of T takes the
-- lines i, i+T, i+2T, … (T must be wrk's -t; wrk does not tell a script how many threads it has).
-- PATH defaults to /query. BODIES "-" sends GET PATH instead, as often as it can (the HTTP
-- stack's own cost, e.g. GET /health).
--
-- A thread that runs out of bodies sends its last one again, which the node refuses: the run is
-- then invalid, and the JSON line says so in "exhausted" (and in "status_errors"). Make BODIES
-- longer than the rate times the duration.
--
-- The last line wrk prints is {"wrk_bodies": 1, ...}: requests/s, latency percentiles in
-- microseconds (wrk times each request from its write to the end of its response; the load is
-- closed-loop, each connection sends its next request when the answer to the last has come), and
-- every kind of error wrk counts. "status_errors" is wrk's count of HTTP statuses above 399.

local threads = {}

-- Runs in wrk's main Lua state, once per thread, before that thread starts.
function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

local requests = {}
local used = 0
local repeating = false  -- BODIES "-": one GET, sent again and again
exhausted = 0
available = 0

function init(args)
  local file, thread_count, path = args[1], tonumber(args[2]), args[3] or "/query"
  if file == nil or thread_count == nil then
    error("usage: wrk ... -s wrk_bodies.lua URL -- BODIES THREADS [PATH]")
  end
  if thread_index >= thread_count then
    error(string.format("wrk runs more threads than the %d given after --", thread_count))
  end
  if file == "-" then
    requests = { wrk.format("GET", path) }
    repeating = true
    return
  end
  -- wrk's -H headers (e.g. "Connection: close") as well as the body's type.
  local headers = { ["Content-Type"] = "application/json" }
  for name, value in pairs(wrk.headers) do headers[name] = value end
  -- Whole requests are formatted here, before the clock starts for this thread, so that
  -- request() is a table lookup (wrk's SCRIPTING advice for fast servers).
  local line_number = 0
  for line in io.lines(file) do
    if line_number % thread_count == thread_index and #line > 0 then
      table.insert(requests, wrk.format("POST", path, headers, line))
    end
    line_number = line_number + 1
  end
  available = #requests
  if available == 0 then
    error(string.format("%s has no bodies for thread %d of %d", file, thread_index, thread_count))
  end
end

function request()
  if repeating then return requests[1] end
  used = used + 1
  if used > available then
    exhausted = exhausted + 1
    return requests[available]
  end
  return requests[used]
end

function done(summary, latency, requests_stats)
  local total_exhausted, total_available = 0, 0
  for _, thread in ipairs(threads) do
    total_exhausted = total_exhausted + thread:get("exhausted")
    total_available = total_available + thread:get("available")
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"wrk_bodies": 1, "requests": %d, "seconds": %.3f, "requests_per_s": %.1f, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"status_errors": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
    '"timeouts": %d, "bodies": %d, "exhausted": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, e.status, e.connect, e.read, e.write, e.timeout, total_available,
    total_exhausted))
end
