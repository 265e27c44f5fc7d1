-- The soak's traffic for wrk: one connection per thread, so each response answers the request
-- just sent. Mix: creates (unique Idempotency-Key), replays of an earlier create (same key and
-- body), gets, cancels and list pages that follow next_cursor. Each thread writes one line per
-- answered request to its own file:
--   kind status scheduled_us sent_us answered_us key order_id
-- (CLOCK_MONOTONIC microseconds, as Python's time.monotonic). With SOAK_INTERVAL_US > 0 each
-- connection sends on a fixed schedule (open loop); a late answer delays the next send, and
-- scheduled_us keeps that wait in the latency (no coordinated omission). 0: closed loop.
-- Environment: SOAK_TOKENS (lines "customer token"), SOAK_OUT (a directory), SOAK_TAG (unique
-- per run), SOAK_INTERVAL_US.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } soak_timespec;
int clock_gettime(int clk_id, soak_timespec *tp);
]]
local timespec = ffi.new("soak_timespec")
local function now_us()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000000 + math.floor(tonumber(timespec.tv_nsec) / 1000)
end

local INTERVAL = tonumber(os.getenv("SOAK_INTERVAL_US") or "0")
local MEMORY = 512 -- orders each thread remembers for replays, gets and cancels
local PAGES = 5 -- list walks follow next_cursor this deep, then start again

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local customer, headers, json_headers, out, tag
local known, count, serial = {}, 0, 0
local cursor, depth = nil, 0
local pending -- the request in flight: {kind, scheduled, sent, key}
local pending_body -- a create's body, remembered for its replays
local next_at

function init(args)
  local tokens = {}
  for line in io.lines(os.getenv("SOAK_TOKENS")) do
    local c, t = line:match("^(%S+) (%S+)$")
    tokens[#tokens + 1] = {c, t}
  end
  local mine = tokens[(tid - 1) % #tokens + 1]
  customer = mine[1]
  headers = {Authorization = "Bearer " .. mine[2]}
  json_headers = {Authorization = headers.Authorization, ["Content-Type"] = "application/json"}
  tag = os.getenv("SOAK_TAG") .. "-" .. tid
  out = assert(io.open(os.getenv("SOAK_OUT") .. "/thread-" .. tid .. ".log", "w"))
  out:setvbuf("full", 65536) -- exit() flushes it when wrk stops
  math.randomseed(tid * 7919 + now_us() % 100000)
  next_at = now_us() + math.random(0, INTERVAL)
end

if INTERVAL > 0 then
  function delay()
    next_at = next_at + INTERVAL
    local wait = (next_at - now_us()) / 1000
    if wait < 0 then return 0 end
    return math.floor(wait)
  end
end

local function create_body(key)
  return string.format(
    '{"customer_id":"%s","amount_cents":%d,"currency":"EUR","description":"soak",' ..
    '"metadata":{"soak_key":"%s"}}', customer, math.random(1, 1000000), key)
end

local function remember(order)
  count = count + 1
  known[(count - 1) % MEMORY + 1] = order
end

local function any_known()
  return known[math.random(math.min(count, MEMORY))]
end

local function send(kind, key, method, path, hdrs, body)
  local sent = now_us()
  local scheduled = sent
  if INTERVAL > 0 and next_at < sent then scheduled = next_at end
  pending = {kind, scheduled, sent, key}
  if key then hdrs["Idempotency-Key"] = key else hdrs["Idempotency-Key"] = nil end
  return wrk.format(method, path, hdrs, body)
end

function request()
  local r = math.random()
  if count == 0 or r < 0.35 then
    serial = serial + 1
    local key = tag .. "-" .. serial
    local body = create_body(key)
    pending_body = body
    return send("create", key, "POST", "/v1/orders", json_headers, body)
  elseif r < 0.45 then
    local order = any_known()
    return send("replay", order.key, "POST", "/v1/orders", json_headers, order.body)
  elseif r < 0.75 then
    return send("get", nil, "GET", "/v1/orders/" .. any_known().id, headers)
  elseif r < 0.85 then
    return send("cancel", nil, "POST", "/v1/orders/" .. any_known().id .. "/cancel", headers)
  end
  local path = "/v1/customers/" .. customer .. "/orders?limit=20"
  if cursor then path = path .. "&cursor=" .. cursor end
  return send(cursor and "page" or "list", nil, "GET", path, headers)
end

function response(status, _, body)
  local answered = now_us()
  local kind, key, id = pending[1], pending[4], "-"
  if kind == "create" or kind == "replay" then
    id = (status < 300 and body:match('"id"%s*:%s*"([^"]+)"')) or "-"
    if kind == "create" and status == 201 and id ~= "-" then
      remember({key = key, id = id, body = pending_body})
    end
  elseif kind == "list" or kind == "page" then
    local next_cursor = status == 200 and body:match('"next_cursor"%s*:%s*"([^"]+)"')
    depth = depth + 1
    if next_cursor and depth < PAGES then
      cursor = next_cursor:gsub("=", "%%3D")
    else
      cursor, depth = nil, 0
    end
  end
  out:write(kind, " ", status, " ", pending[2], " ", pending[3], " ", answered, " ",
    key or "-", " ", id, "\n")
end

-- wrk's own count of socket errors (they have no response line), for the harness.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
end
