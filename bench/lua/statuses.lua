-- GET the URL given to wrk and count responses by status code (e.g. 200 vs 503 under overload).
local report = require("report")
setup = report.setup
done = report.done

function init(args)
  statuses = {}
end

function response(status, headers, body)
  report.count(status)
end
