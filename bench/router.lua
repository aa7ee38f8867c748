-- POSTs pyfunc scoring requests shaped like a pricing service's traffic: twelve columns (prices, counts, flags,
-- categories, a free-text field and missing values), one row in most requests and a small batch in some, every
-- request with its own unit key (X-Steward-Unit) so that a sticky router assigns units as it would for customers.
-- Bodies are drawn from a pool built once per thread, so the client's own work stays out of the measurement.
local columns = '["price", "list_price", "stock", "region", "channel", "customer_age", "basket_items", "discount",' ..
    ' "is_member", "days_since_purchase", "category", "search_query"]'
local regions = {"north", "south", "east", "west", "central"}
local channels = {"web", "app", "store", "phone"}
local categories = {"grocery", "electronics", "garden", "toys", "apparel", "books", "home"}
local queries = {"running shoes", "usb-c cable 2m", "organic coffee beans", "garden hose", "lego city", "winter jacket",
    "noise cancelling headphones", "", "gift card"}
local pool = {}
local counter = 0
local threads = 0

function setup(thread)
    threads = threads + 1
    thread:set("seed", threads)
end

local function pick(list) return list[math.random(#list)] end

local function row()
    local list = math.random() * 200 + 1
    local price = list * (1 - math.random(0, 40) / 100)
    local age = math.random() < 0.1 and "null" or tostring(math.random(18, 85))
    local days = math.random() < 0.05 and "null" or tostring(math.random(0, 730))
    return string.format('[%.2f, %.2f, %d, "%s", "%s", %s, %d, %.2f, %s, %s, "%s", "%s"]', price, list, math.random(0, 5000),
        pick(regions), pick(channels), age, math.random(1, 30), (list - price) / list, math.random() < 0.4 and "true" or "false",
        days, pick(categories), pick(queries))
end

function init(args)
    math.randomseed(7919 * (seed or 1))
    for i = 1, 2000 do
        local rows = {}
        local count = math.random() < 0.8 and 1 or math.random(2, 8)
        for r = 1, count do rows[r] = row() end
        pool[i] = '{"dataframe_split": {"columns": ' .. columns .. ', "data": [' .. table.concat(rows, ", ") .. ']}}'
    end
end

request = function()
    counter = counter + 1
    return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Steward-Unit"] = "customer-" .. counter},
        pool[counter % #pool + 1])
end
