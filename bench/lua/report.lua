-- Shared by every bench script: done() prints one JSON line, prefixed "BENCH_JSON ", that bench/lib parses.
-- Latencies are in microseconds, as wrk measures them. "statuses" is filled only by scripts that count
-- response codes (counting needs a response() callback, which makes wrk parse every response: slower).
local report = {}
local threads = {}

function report.setup(thread)
  table.insert(threads, thread)
end

local function encode(value)
  if type(value) == "table" then
    local parts = {}
    for k, v in pairs(value) do
      table.insert(parts, string.format("%q:%s", tostring(k), encode(v)))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return tostring(value)
end

function report.done(summary, latency, requests)
  local statuses = {}
  for _, thread in ipairs(threads) do
    local counted = thread:get("statuses")
    if type(counted) == "table" then
      for code, n in pairs(counted) do
        statuses[tostring(code)] = (statuses[tostring(code)] or 0) + n
      end
    end
  end
  local percentiles = {}
  for _, p in ipairs({ 50, 75, 90, 99, 99.9 }) do
    percentiles["p" .. p] = latency:percentile(p)
  end
  local out = {
    requests = summary.requests,
    duration_us = summary.duration,
    bytes = summary.bytes,
    errors = summary.errors,
    latency_us = { min = latency.min, max = latency.max, mean = latency.mean, stdev = latency.stdev,
                   percentiles = percentiles },
    statuses = statuses,
  }
  io.write("BENCH_JSON ", encode(out), "\n")
end

-- Counts responses by status code in the thread's own Lua state; report.done() adds the threads up.
function report.count(status)
  statuses[status] = (statuses[status] or 0) + 1
end

return report
