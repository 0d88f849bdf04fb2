-- wrk script for `make bench`: each request comes from a list file, one per line:
--   METHOD <tab> PATH <tab> COOKIE <tab> BODY (form-encoded, empty for a GET)
-- Arguments: the list file, then "cycle" (go round the list for the whole run) or "once"
-- (every line at most once, then stop: final submits each need a fresh draft).
-- At the end it prints one line, "BENCH {json}", that bench/run.py reads: wrk's counts, and
-- "used", how many responses answered a line of the list (in "once" mode a request sent after
-- the list is used up repeats its last line, which the run then stops: a replayed submit
-- answers as one, yet makes no intake, so bench/run.py counts "used", not "requests").

local lines = {}
local index = 0
local answered = 0
local once = false
used = 0 -- a global: done() reads it from each thread (thread:get)
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  for line in io.lines(args[1]) do
    local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = { ["Cookie"] = cookie, ["Host"] = "127.0.0.1" }
    if body == "" then
      body = nil
    else
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    end
    lines[#lines + 1] = wrk.format(method, path, headers, body)
  end
  once = args[2] == "once"
end

function request()
  index = index + 1
  if index > #lines then
    index = once and #lines or 1
  end
  return lines[index]
end

function response(status, headers, body)
  answered = answered + 1
  used = math.min(answered, #lines)
  if once and answered >= #lines then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local used_all = 0
  for _, thread in ipairs(threads) do
    used_all = used_all + (thread:get("used") or 0)
  end
  io.write(string.format(
    'BENCH {"requests": %d, "used": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, used_all, summary.duration, latency:percentile(50),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
