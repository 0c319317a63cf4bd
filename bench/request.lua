-- Method and body for wrk from the environment (headers come with -H). "{n}" in the body becomes
-- a counter, so that no two comments one run of wrk posts are the same (load.py puts the run in).
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local n = 0

request = function()
  n = n + 1
  local this = body and (body:gsub("{n}", tostring(n))) or nil
  return wrk.format(method, nil, nil, this)
end
