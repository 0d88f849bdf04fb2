-- wrk script for `make bench`: each request comes from a list file, one per line:
--   METHOD <tab> PATH <tab> COOKIE <tab> BODY (form-encoded, empty for a GET)
-- Arguments: the list file; "cycle" (go round the list for the whole run) or "once" (every
-- line at most once, then stop: final submits each need a fresh draft); in "once" mode, the
-- status a correct answer has and, optionally, the Location it must redirect to.
-- At the end it prints one line, "BENCH {json}", that bench/run.py reads: wrk's counts, and
-- "used", how many responses answered a line of the list. In "once" mode also: "lines", the
-- line each response answered, in order; "resent", lines asked for again after their first
-- request went unanswered (a connection lost); "wrong", the answers whose status (under 400:
-- wrk counts the others) or Location is not the expected one; "wrong_first", the first few
-- answers not as expected, whatever their status ("line status location").
--
-- "once" mode runs with one connection (bench/run.py): each answer answers the line asked for
-- last, and the next line is asked for only once that one is answered. wrk calls request()
-- once more than it sends: after init(), before any connection, it calls it on the first
-- thread to count the requests a script pipelines (script_verify_request; wrk 4.1.0, as
-- Debian ships it), and throws that request away. A script that moved to the next line on
-- each call (as this one did) skipped each run's first line, and a run that answered all the
-- others then sent its last line twice: a replayed submit redirects to the confirmation like
-- the first but makes no intake, so make bench counted one answered submit too many a run.
local lines = {}
local index = 0
local once = false
local expect_status = nil
local expect_location = nil
local sent = {} -- line -> how many times it was asked for (the first call not counted)
local asked = 0
local mismatches = 0
-- Globals: done() reads them from each thread (thread:get).
used = 0
answered_lines = ""
resent = ""
wrong = 0
wrong_first = ""
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
  expect_status = tonumber(args[3])
  if args[4] and args[4] ~= "" then
    expect_location = args[4]
  end
end

local function append(list, item)
  if list == "" then
    return item
  end
  return list .. "," .. item
end

function request()
  if not once then
    index = index % #lines + 1
    return lines[index]
  end
  index = math.min(used + 1, #lines) -- the first line not answered yet
  asked = asked + 1
  if asked > 1 then -- the first call is wrk's check, never sent
    sent[index] = (sent[index] or 0) + 1
    if sent[index] == 2 then
      resent = append(resent, tostring(index))
    end
  end
  return lines[index]
end

local function header(headers, name)
  for key, value in pairs(headers) do
    if key:lower() == name then
      return value
    end
  end
  return nil
end

function response(status, headers, body)
  if not once then
    used = used + 1
    return
  end
  local answered = index
  used = used + 1
  answered_lines = append(answered_lines, tostring(answered))
  local location = header(headers, "location") or ""
  if (expect_status and status ~= expect_status)
    or (expect_location and location ~= expect_location) then
    mismatches = mismatches + 1
    if status < 400 then
      wrong = wrong + 1 -- wrk counts a status of 400 or more itself ("status")
    end
    if mismatches <= 5 then
      wrong_first = append(wrong_first, string.format("%d %d %s", answered, status, location))
    end
  end
  if used >= #lines then
    wrk.thread:stop()
  end
end

local function json_string(text)
  return '"' .. text:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

function done(summary, latency, requests)
  local e = summary.errors
  local used_all, wrong_all = 0, 0
  local answered_all, resent_all, wrong_list = {}, {}, {}
  for _, thread in ipairs(threads) do
    used_all = used_all + (thread:get("used") or 0)
    wrong_all = wrong_all + (thread:get("wrong") or 0)
    for _, pair in ipairs({ { answered_all, "answered_lines" }, { resent_all, "resent" },
                            { wrong_list, "wrong_first" } }) do
      local text = thread:get(pair[2]) or ""
      if text ~= "" then
        pair[1][#pair[1] + 1] = text
      end
    end
  end
  local quoted = {}
  for _, text in ipairs(wrong_list) do
    for item in text:gmatch("[^,]+") do
      quoted[#quoted + 1] = json_string(item)
    end
  end
  io.write(string.format(
    'BENCH {"requests": %d, "used": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"lines": [%s], "resent": [%s], "wrong": %d, "wrong_first": [%s]}\n',
    summary.requests, used_all, summary.duration, latency:percentile(50),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(answered_all, ","), table.concat(resent_all, ","), wrong_all,
    table.concat(quoted, ",")))
end
