-- api-next.lua -- a wrk script for `psoas-triage serve`: every request POSTs a complete
-- case to /api/next as {"answers": {...}}, so each one makes a new session that is done
-- at once, its case file saved in the server's --cases directory.
--
--   wrk -t2 -c64 -d30s --latency -s bench/api-next.lua http://127.0.0.1:8080/api/next -- [BODIES [OUT]]
--
-- BODIES: a file of request bodies, one JSON object a line, sent in turn (each thread
-- starts at another line); without it, one built-in case (an emergency: the dialogue is
-- over after these answers).  OUT: where done() writes, one line a response, "SESSION
-- DISPOSITION" (the result's level), so that a caller can find every session on disk.
-- done() also prints one line "wrk-api-next: {JSON}" with the counts (requests, errors,
-- responses that were not 200 or not done) and the latency percentiles in microseconds
-- (bench/bench.py and tests/test_load.py read it).

local DEFAULT = '{"answers": {"age": 66, "sex": "male", "low_back_pain": true, "known_aaa": true, ' ..
                '"sudden_severe_pain": true, "collapse": true, "mechanical_onset": false}}'

local threads = {}

function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

bodies, next_body, out = nil, 1, nil
sessions, levels, not200, notdone = {}, {}, 0, 0

function init(args)
  bodies = {}
  if args[1] and args[1] ~= "" then
    for line in io.lines(args[1]) do
      if line:match("%S") then table.insert(bodies, line) end
    end
  end
  if #bodies == 0 then bodies = { DEFAULT } end
  out = args[2]
  next_body = (number % #bodies) + 1
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  for i, body in ipairs(bodies) do -- the requests made once (request() only picks one)
    bodies[i] = wrk.format(nil, nil, nil, body)
  end
end

function request()
  local r = bodies[next_body]
  next_body = next_body % #bodies + 1
  return r
end

function response(status, headers, body)
  if status ~= 200 then
    not200 = not200 + 1
    return
  end
  local id = body:match('"session":"([^"]+)"')
  local level = body:match('"result":{.-"disposition":"(%a+)"')
  if not body:find('"done":true', 1, true) or not id or not level then
    notdone = notdone + 1
    return
  end
  table.insert(sessions, id)
  table.insert(levels, level)
end

function done(summary, latency, requests)
  local n200, nnot, ndone = 0, 0, 0
  local f = nil
  if threads[1] and threads[1]:get("out") then f = io.open(threads[1]:get("out"), "w") end
  for _, t in ipairs(threads) do
    n200 = n200 + t:get("not200")
    nnot = nnot + t:get("notdone")
    local ids, lv = t:get("sessions"), t:get("levels")
    ndone = ndone + #ids
    if f then
      for i, id in ipairs(ids) do f:write(id, " ", lv[i], "\n") end
    end
  end
  if f then f:close() end
  local e = summary.errors
  io.write(string.format(
    'wrk-api-next: {"requests": %d, "duration_us": %d, "rps": %.1f, "done": %d, "not_200": %d, ' ..
    '"not_done": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6), ndone, n200, nnot,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
