-- bench/wrk/push.lua: wrk drives the webhook with the loadgen's walk.
--
-- Plaintext mode signs only (token, timestamp, nonce), and the webhook binds
-- each signed (timestamp, nonce) to the first body it carried: every request
-- takes a query string of its own from WRK_QUERIES, a file of signed queries
-- (bench/signq, made by bench/ratio.sh); each thread takes every n-th line.
-- Without the file one query (WRK_QUERY) serves every body, which only the
-- floor accepts. Each wrk
-- thread owns WRK_OPENIDS / threads followers and sends each of them the
-- next message of its walk in turn, so one follower's next message comes
-- only after every other follower of the thread had one: a follower's
-- messages never overlap, while all connections stay busy. MsgIds are
-- unique per run. response() counts non-200 answers and the busy text;
-- done() prints one JSON line for the script.

local query = os.getenv("WRK_QUERY") or ""
local qfile = os.getenv("WRK_QUERIES")
local queries = {}
local q = 0
local prefix = os.getenv("WRK_PREFIX") or "o-wrk-"
local nfollowers = tonumber(os.getenv("WRK_OPENIDS") or "5000")

local walk = { "菜单", "3", "1", "500", "产品", "1", "1", "联系", "菜单", "1", "是", "是", "是", "没有", "都没有", "都没有", "都没有" }
local again = { "菜单", "3", "产品", "1", "联系", "菜单", "1", "1", "是", "是", "是", "没有", "都没有", "都没有", "都没有" }

local threads = {}
local nthreads = 0
tid = 0 -- set per thread by setup()

function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end

local n, mine, i = 0, 0, 0
bad, busy = 0, 0 -- globals: done() reads them with thread:get()
local head = '<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA['

function init(args)
  n = tonumber(os.getenv("WRK_THREADS") or "2")
  mine = math.floor(nfollowers / n)
  wrk.method = "POST"
  wrk.path = "/wechat?" .. query
  wrk.headers["Content-Type"] = "text/xml"
  if qfile then
    local k = 0
    for line in io.lines(qfile) do
      if k % n == tid - 1 then
        queries[#queries + 1] = line
      end
      k = k + 1
    end
  end
end

function request()
  local f = i % mine
  local round = math.floor(i / mine)
  i = i + 1
  local text
  if round < #walk then
    text = walk[round + 1]
  else
    text = again[(round - #walk) % #again + 1]
  end
  local openid = string.format("%s%d-%06d", prefix, tid, f)
  local body = head .. openid .. ']]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[' ..
    text .. ']]></Content><MsgId>' .. string.format("%d%09d", tid, i) .. '</MsgId></xml>'
  if #queries > 0 then
    q = q % #queries + 1
    return wrk.format(nil, "/wechat?" .. queries[q], nil, body)
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  elseif string.find(body, "系统繁忙", 1, true) then
    busy = busy + 1
  end
end

function done(summary, latency, requests)
  local b, y = 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
    y = y + t:get("busy")
  end
  local e = summary.errors
  io.write(string.format('{"requests":%d,"seconds":%.3f,"msg_per_s":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"non200":%d,"busy":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    b, y, e.connect + e.read + e.write + e.timeout))
end
