-- POST a new 1 GiB thin volume per request, each with a unique name.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_id = tid
end

function request()
  counter = counter + 1
  local body = string.format('{"poolId":"%s","name":"w%s-%d-%d","sizeGib":1}',
    os.getenv("POOL"), os.getenv("RUN"), thread_id, counter)
  return wrk.format("POST", "/api/v1/volumes",
    {["Authorization"] = "Bearer " .. os.getenv("TOKEN"), ["Content-Type"] = "application/json"}, body)
end

-- DELAY_MS (optional): each connection waits this long between its requests, so that
-- connections x 1000 / DELAY_MS bounds the rate (wrk has no open-loop mode; see run.sh)
local delay_ms = tonumber(os.getenv("DELAY_MS") or "")
if delay_ms then
  function delay()
    return delay_ms
  end
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("non-2xx: %d\n", non2xx))
end
