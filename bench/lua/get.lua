-- GET the URL given to wrk; report only (no per-response callback, so wrk runs at full speed).
local report = require("report")
setup = report.setup
done = report.done
