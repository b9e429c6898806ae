-- GET /posts/{id} with an id drawn at random from 1..N (wrk ... -- N): the rows the harness seeded, so every
-- request is a hit on a different row. A request() callback builds each request, which costs wrk a little.
local report = require("report")
setup = report.setup
done = report.done

local rows

function init(args)
  rows = tonumber(args[1])
  math.randomseed(os.time())
end

function request()
  return wrk.format("GET", "/posts/" .. math.random(1, rows))
end
