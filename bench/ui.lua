-- A page of the web UI asked for again and again, signed in (STEWARD_COOKIE); or, with SEARCH_BODY set, the runs
-- search MLflow's UI makes for its runs table.
local cookie = os.getenv("STEWARD_COOKIE") or ""
local search = os.getenv("SEARCH_BODY")

function request()
    if search then
        return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, search)
    end
    return wrk.format("GET", nil, {["Cookie"] = cookie})
end
