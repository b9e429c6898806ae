-- GET the URL given to wrk until a fixed number of responses, then stop:
--   wrk ... -s count.lua URL -- REQUESTS THREADS
-- Each of the THREADS threads stops after its share of REQUESTS responses and says so on stderr
-- ("BENCH_THREAD_DONE"); wrk itself runs until its -d duration or SIGINT, so bench/lib interrupts it once every
-- thread is done. Responses still in flight when a thread stops are not counted.
local report = require("report")
setup = report.setup
done = report.done

local quota, seen = 0, 0

function init(args)
  statuses = {}
  local total, threads = tonumber(args[1]), tonumber(args[2])
  quota = math.ceil(total / threads)
end

function response(status, headers, body)
  report.count(status)
  seen = seen + 1
  if seen == quota then
    io.stderr:write("BENCH_THREAD_DONE\n")
    io.stderr:flush()
    wrk.thread:stop()
  end
end
