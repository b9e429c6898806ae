-- GET /fanout?... and count statuses, plus "fanout_failed": answers whose JSON summary reports a failed call.
local report = require("report")
setup = report.setup
done = report.done

function init(args)
  statuses = {}
end

function response(status, headers, body)
  report.count(status)
  if status == 200 and not string.find(body, '"failed":%s*0[,}]') then
    report.count("fanout_failed")
  end
end
