-- Shared by every scenario: the bench customers (keys and the order ids they own), a form POST helper,
-- and a count of unexpected answers summed over wrk's threads and printed as "BAD <n>" / "SAMPLE <body>".
-- bench/run.py writes the data file (one line per customer: "<key> <id>,<id>,...") and passes its path in
-- BENCH_KEYS; it runs wrk from this directory so `require "common"` finds this file.
local M = {}

local threads = {}

function M.load()
  local rows = {}
  for line in io.lines(os.getenv("BENCH_KEYS")) do
    local key, ids = line:match("^(%S+)%s+(%S+)$")
    local list = {}
    for id in ids:gmatch("%d+") do list[#list + 1] = id end
    rows[#rows + 1] = { key = key, ids = list, all = ids }
  end
  return rows
end

function M.services()
  local list = {}
  for id in (os.getenv("BENCH_SERVICES") or ""):gmatch("%d+") do list[#list + 1] = id end
  return list
end

local HEADERS = { ["Content-Type"] = "application/x-www-form-urlencoded" }

function M.post(body, headers)
  return wrk.format("POST", "/api/v2", headers or HEADERS, body)
end

-- install setup/response/done; `ok(status, body)` decides whether an answer is the expected one
function M.install(ok)
  _G.setup = function(thread)
    thread:set("thread_id", #threads + 1)
    threads[#threads + 1] = thread
  end
  _G.bad = 0
  _G.sample = ""
  _G.response = function(status, headers, body)
    if not ok(status, body, headers) then
      bad = bad + 1
      if sample == "" then sample = tostring(status) .. " " .. body:sub(1, 160) end
    end
  end
  _G.done = function(summary, latency, requests)
    local total, first = 0, ""
    for _, thread in ipairs(threads) do
      total = total + thread:get("bad")
      if first == "" then first = thread:get("sample") end
    end
    io.write("BAD " .. total .. "\n")
    if first ~= "" then io.write("SAMPLE " .. first:gsub("\n", " ") .. "\n") end
  end
end

function M.starts(prefix)
  return function(status, body)
    return status == 200 and body:sub(1, #prefix) == prefix
  end
end

return M
