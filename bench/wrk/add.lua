-- `add`: a Default order of BENCH_QUANTITY on a random Default service, for a different customer on each
-- request, on a link never used before (BENCH_NONCE makes links unique across runs), so neither the
-- duplicate-link guard nor the balance should ever refuse. Non-{"order": answers are counted as BAD.
local common = require "common"
local rows, services, n, prefix, quantity
common.install(common.starts('{"order":'))

function init(args)
  rows = common.load()
  services = common.services()
  n = (thread_id or 1) * 7919
  math.randomseed(n)
  quantity = os.getenv("BENCH_QUANTITY") or "1000"
  prefix = "https%3A%2F%2Fwww.instagram.com%2Fp%2Fb" .. (os.getenv("BENCH_NONCE") or "0") .. "t" .. (thread_id or 1) .. "n"
end

function request()
  n = n + 1
  local row = rows[n % #rows + 1]
  return common.post("key=" .. row.key .. "&action=add&service=" .. services[math.random(#services)]
    .. "&link=" .. prefix .. n .. "&quantity=" .. quantity)
end
