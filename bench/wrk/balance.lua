-- `balance` for a different bench customer on each request.
local common = require "common"
local rows, n
common.install(common.starts('{"balance":'))

function init(args)
  rows = common.load()
  n = (thread_id or 1) * 7919
end

function request()
  n = n + 1
  return common.post("key=" .. rows[n % #rows + 1].key .. "&action=balance")
end
