-- POSTs chat completions shaped like a support assistant's traffic: a system prompt, one to three earlier turns of
-- varied length, and a new question, at temperature 0 so that the gateway looks each one up in its cache; every
-- request's last message carries a number of its own and the time its run of wrk started, so no two requests are
-- the same, in one run or across the runs against one server, and every lookup misses (a benchmark of cache hits
-- would measure a dictionary). `stream` is set by the STREAM environment variable.
-- Bodies are built from a pool made once per thread, so the client's own work stays out of the measurement.
local system = "You are a helpful support assistant for an online retailer. Answer briefly and politely, cite the " ..
    "order number when there is one, and never promise refunds without checking the policy."
local questions = {"Where is my parcel?", "Can I change the delivery address of order 48213?",
    "The zipper on the jacket I bought last week broke after two days. What are my options?",
    "Do you ship to Norway, and how long does it take?", "I was charged twice for the same order, please help.",
    "How do I reset my password?", "Is the 55 inch model available in store in Lyon?",
    "What is your return policy for opened electronics?"}
local answers = {"Your parcel left our warehouse yesterday and should arrive within two working days.",
    "Sure, I can help with that. Could you confirm the new address and postcode?",
    "I am sorry to hear that. You can return it for a replacement or a refund within 30 days."}
local model = os.getenv("MODEL") or "bench-chat"
local stream = os.getenv("STREAM") == "1"
local key = os.getenv("KEY") or "none"
local pool = {}
local counter = 0
local run = 0
local threads = 0

function setup(thread)
    threads = threads + 1
    thread:set("seed", threads)
end

local function pick(list) return list[math.random(#list)] end

local function quoted(text) return '"' .. text:gsub('"', '\\"') .. '"' end

function init(args)
    math.randomseed(7919 * (seed or 1))
    -- Without it, a run would repeat the requests of the run before it, which the cache may still hold.
    run = os.time()
    for i = 1, 500 do
        local messages = {'{"role": "system", "content": ' .. quoted(system) .. '}'}
        for turn = 1, math.random(0, 2) do
            messages[#messages + 1] = '{"role": "user", "content": ' .. quoted(pick(questions)) .. '}'
            messages[#messages + 1] = '{"role": "assistant", "content": ' .. quoted(pick(answers)) .. '}'
        end
        -- %d-%d: the run's and the request's own number, filled in per request.
        messages[#messages + 1] = '{"role": "user", "content": ' .. quoted(pick(questions) .. " (ticket %d-%d)") .. '}'
        pool[i] = '{"model": "' .. model .. '", "messages": [' .. table.concat(messages, ", ") .. '], "temperature": 0, ' ..
            '"max_tokens": 200' .. (stream and ', "stream": true' or '') .. '}'
    end
end

function request()
    counter = counter + 1
    local body = string.format(pool[counter % #pool + 1], run, counter * 16 + (seed or 1))
    return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end
