-- `status` for 100 orders at once (the most an API v2 id list may hold), all owned by the caller.
local common = require "common"
local rows, n
common.install(function(status, body)
  return status == 200 and body:sub(1, 2) == '{"' and not body:find('"error"', 1, true)
end)

function init(args)
  rows = common.load()
  n = (thread_id or 1) * 7919
end

function request()
  n = n + 1
  local row = rows[n % #rows + 1]
  return common.post("key=" .. row.key .. "&action=status&orders=" .. row.all)
end
