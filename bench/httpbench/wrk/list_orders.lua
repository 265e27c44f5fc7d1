-- GET /v1/customers/{id}/orders?limit=20: the first page of the token's customer.
-- args: token, customer id
local prepared

function init(args)
  local path = "/v1/customers/" .. args[2] .. "/orders?limit=20"
  prepared = wrk.format("GET", path, with_extra({Authorization = "Bearer " .. args[1]}))
end

function request()
  return prepared
end
