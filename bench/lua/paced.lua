-- GET the URL given to wrk, each connection pausing between requests: wrk ... -s paced.lua URL -- PAUSE_MS
-- A light, steady load whose latency shows how fast the server answers while something else keeps it busy.
-- wrk measures latency from send to answer, so the pause is not part of it.
local report = require("report")
setup = report.setup
done = report.done

local pause = 10

function init(args)
  pause = tonumber(args[1]) or pause
end

function delay()
  return pause
end
