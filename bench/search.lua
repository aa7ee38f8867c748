-- Scenario (b): runs/search with a metric threshold and a param equality, ordered by the metric, 100 results.
function init(args)
    body = '{"experiment_ids":["' .. args[1] .. '"],"filter":"metrics.rmse < 0.5 and params.model = \'tree\'",' ..
        '"run_view_type":"ACTIVE_ONLY","max_results":100,"order_by":["metrics.rmse ASC"]}'
end

function request()
    return wrk.format("POST", "/api/2.0/mlflow/runs/search", {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
    io.write(string.format(
        'WRK_RESULT {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
        summary.requests, summary.duration, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
