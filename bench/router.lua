-- POSTs one pyfunc scoring row per request, each with its own unit key (X-Steward-Unit), so that a sticky
-- router assigns units as it would for real customers.
local counter = 0
local body = '{"dataframe_split": {"columns": ["price", "stock", "region"], "data": [[19.99, 240, "north"]]}}'

request = function()
    counter = counter + 1
    return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Steward-Unit"] = "customer-" .. counter}, body)
end
