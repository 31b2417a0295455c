-- Single-order `status`: a different customer on each request, asking for one of its own orders.
local common = require "common"
local rows, n
common.install(common.starts('{"charge":'))

function init(args)
  rows = common.load()
  n = (thread_id or 1) * 7919
  math.randomseed(n)
end

function request()
  n = n + 1
  local row = rows[n % #rows + 1]
  return common.post("key=" .. row.key .. "&action=status&order=" .. row.ids[math.random(#row.ids)])
end
