-- `services` (≈ 1 MB of JSON) with Accept-Encoding: gzip, as real HTTP clients send it.
local common = require "common"
local rows, n
local HEADERS = { ["Content-Type"] = "application/x-www-form-urlencoded", ["Accept-Encoding"] = "gzip" }
common.install(function(status, body, headers)
  return status == 200 and #body > 10000
end)

function init(args)
  rows = common.load()
  n = (thread_id or 1) * 7919
end

function request()
  n = n + 1
  return common.post("key=" .. rows[n % #rows + 1].key .. "&action=services", HEADERS)
end
