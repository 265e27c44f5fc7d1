-- GET /v1/orders/{id}: a random order of the token's customer per request.
-- args: token, file with one order id per line
local ids, headers = {}, {}

function init(args)
  headers = with_extra({Authorization = "Bearer " .. args[1]})
  for line in io.lines(args[2]) do ids[#ids + 1] = line end
  math.randomseed(os.time())
end

function request()
  return wrk.format("GET", "/v1/orders/" .. ids[math.random(#ids)], headers)
end
