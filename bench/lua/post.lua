-- POST /posts with a small JSON object, as a client of the JSON API would.
local report = require("report")
setup = report.setup
done = report.done

wrk.method = "POST"
wrk.path = "/posts"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"benchmark","body":"a small JSON post","tags":["bench","json"],"draft":false}'
