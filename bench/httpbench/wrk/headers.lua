-- Headers every request carries besides the endpoint's own: BENCH_HEADERS, "Name: value" a line.
function with_extra(headers)
  for name, value in (os.getenv("BENCH_HEADERS") or ""):gmatch("([^:\n]+):%s*([^\n]*)") do
    headers[name] = value
  end
  return headers
end
