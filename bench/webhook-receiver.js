// A webhook receiver for bench/webhooks.sh: answers 200 (or 503 while "down"), and records for
// each delivery how long after the event's createdAt it arrived. Loopback only.
const http = require('node:http')
let down = false
let latencies = []
let firstOk = 0
let lastOk = 0
const ids = new Set()
http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    const sorted = [...latencies].sort((a, b) => a - b)
    const at = q => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0
    res.setHeader('content-type', 'application/json')
    return res.end(JSON.stringify({ delivered: latencies.length, unique: ids.size, p50: at(0.5), p99: at(0.99), max: at(1), firstOk, lastOk }))
  }
  if (req.method === 'POST' && req.url.startsWith('/control/')) {
    const what = req.url.slice(9)
    if (what === 'down') down = true
    if (what === 'up') down = false
    if (what === 'reset') { latencies = []; ids.clear(); firstOk = 0; lastOk = 0 }
    return res.end('ok')
  }
  const chunks = []
  req.on('data', c => chunks.push(c)).on('end', () => {
    if (down) { res.statusCode = 503; return res.end() }
    const now = Date.now()
    const event = JSON.parse(Buffer.concat(chunks))
    latencies.push(now - Date.parse(event.createdAt))
    ids.add(event.deliveryId)
    if (!firstOk) firstOk = now
    lastOk = now
    res.end()
  })
}).listen(Number(process.argv[2]), '127.0.0.1')
