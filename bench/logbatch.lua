-- Scenario (a): runs/log-batch with 10 metrics per request. Every request logs new observations: steps and
-- timestamps combine a base that differs per wrk invocation (second argument), the thread and a per-thread
-- counter, so no server can skip work by deduplicating, not even across warm-up and measurement. A third argument,
-- when given, is sent as a bearer token.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
    thread_id = thread_id + 1
    thread:set("tid", thread_id)
    table.insert(threads, thread)
end

function init(args)
    run_id = args[1]
    base = tonumber(args[2]) or 0
    token = args[3]
end

function request()
    counter = counter + 1
    local step = base + tid * 100000000 + counter
    local parts = {}
    for i = 0, 9 do
        parts[#parts + 1] = string.format('{"key":"m%d","value":%d.5,"timestamp":%d,"step":%d}', i, counter % 1000, 1700000000000 + step, step)
    end
    local body = '{"run_id":"' .. run_id .. '","metrics":[' .. table.concat(parts, ",") .. ']}'
    local headers = {["Content-Type"] = "application/json"}
    if token then
        headers["Authorization"] = "Bearer " .. token
    end
    return wrk.format("POST", "/api/2.0/mlflow/runs/log-batch", headers, body)
end

function response(status, headers, body)
    if status ~= 200 then
        bad = (bad or 0) + 1
    end
end

function done(summary, latency, requests)
    io.write(string.format(
        'WRK_RESULT {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
        summary.requests, summary.duration, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
