-- POST /v1/orders: a new order per request, each with its own Idempotency-Key.
-- args: token, key prefix (unique per run), JSON body
local threads = 0
local count, prefix, body, headers = 0, "", "", {}

function setup(thread)
  threads = threads + 1
  thread:set("thread", threads)
end

function init(args)
  headers = with_extra({Authorization = "Bearer " .. args[1], ["Content-Type"] = "application/json"})
  prefix = args[2] .. "-" .. tostring(thread)
  body = args[3]
end

function request()
  count = count + 1
  headers["Idempotency-Key"] = prefix .. "-" .. count
  return wrk.format("POST", "/v1/orders", headers, body)
end
