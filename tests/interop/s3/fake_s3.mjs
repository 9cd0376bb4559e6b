// tests/interop/s3/fake_s3.mjs - a tiny S3 look-alike (node's http module
// only) for the behaviours s3rver does not have: conditional PUT
// (If-None-Match: * -> 412), transient 5xx, a server that ignores Range,
// access denied, and hostile ListObjectsV2 bodies.
//   node fake_s3.mjs [--watch-stdin]      prints "port=<n>"
// Path-style: /<bucket>/<key>. Buckets:
//   cond     in-memory store; PUT honours If-None-Match: *
//   flaky    like cond, but the first 2 attempts of every request get 503
//   down     always 503 SlowDown
//   denied   always 403 AccessDenied
//   norange  like cond, but GET ignores Range (200 with the whole object)
//   hostile  list responses chosen by the prefix's first folder (see below)
import http from 'node:http';

const store = new Map(); // "bucket/key" -> Buffer
const attempts = new Map();

function xmlEsc(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function error(res, status, code, msg) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${msg}</Message></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml' });
  res.end(body);
}
function listXml(contents, extra = '') {
  const items = contents
    .map(([k, size]) => `<Contents><Key>${k}</Key><LastModified>2024-05-06T07:08:09.123Z</LastModified><Size>${size}</Size></Contents>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>b</Name>${items}${extra}</ListBucketResult>`;
}

function hostileList(prefix, res) {
  const top = prefix.split('/')[0];
  const send = (body) => {
    res.writeHead(200, { 'Content-Type': 'application/xml' });
    res.end(body);
  };
  switch (top) {
    case 'loop': // always truncated, same token, same key
      return send(listXml([['loop/a', 1]], '<IsTruncated>true</IsTruncated><NextContinuationToken>same</NextContinuationToken>'));
    case 'notoken':
      return send(listXml([['notoken/a', 1]], '<IsTruncated>true</IsTruncated>'));
    case 'garbage':
      return send(Buffer.from([0x3c, 0x3c, 0x00, 0x26, 0xff, 0xfe, 0x3e]));
    case 'notxml':
      return send('hello');
    case 'badent':
      return send(listXml([['badent/a&bogus;b', 1]]));
    case 'nul':
      return send(listXml([['nul/a&#0;b', 1]]));
    case 'negsize':
      return send(listXml([['negsize/a', -5]]));
    case 'hugesize':
      return send(listXml([['hugesize/a', '99999999999999999999999']]));
    case 'nokey':
      return send(listXml([]).replace('</ListBucketResult>', '<Contents><Size>1</Size></Contents></ListBucketResult>'));
    case 'cut': // cut off in the middle of an element
      return send('<ListBucketResult><Contents><Key>cut/a</Key><Si');
    case 'foreign': // keys outside the requested prefix, and one inside
      return send(listXml([['other/x', 1], ['foreign/ok&amp;&lt;&#x263A;', 2]]));
    case 'emptykey':
      return send(listXml([['', 3]]));
    case 'deep': { // thousands of nested tags
      return send('<ListBucketResult>' + '<Contents>'.repeat(20000) + '</ListBucketResult>');
    }
    default:
      return send(listXml([]));
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'http://x');
    const parts = url.pathname.split('/');
    const bucket = decodeURIComponent(parts[1] || '');
    const key = parts.slice(2).map(decodeURIComponent).join('/');
    const id = `${bucket}/${key}`;
    if (bucket === 'down') return error(res, 503, 'SlowDown', 'Please reduce your request rate.');
    if (bucket === 'denied') return error(res, 403, 'AccessDenied', 'Access Denied');
    if (bucket === 'flaky') {
      const a = `${req.method} ${req.url}`;
      const n = (attempts.get(a) || 0) + 1;
      attempts.set(a, n);
      if (n <= 2) return error(res, 503, 'SlowDown', `attempt ${n}`);
    }
    if (!key && req.method === 'GET') {
      const prefix = url.searchParams.get('prefix') || '';
      if (bucket === 'hostile') return hostileList(prefix, res);
      const after = url.searchParams.get('start-after') || '';
      const keys = [...store.keys()]
        .filter((k) => k.startsWith(`${bucket}/${prefix}`))
        .map((k) => k.slice(bucket.length + 1))
        .filter((k) => k > after)
        .sort();
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      return res.end(listXml(keys.map((k) => [xmlEsc(k), store.get(`${bucket}/${k}`).length])));
    }
    const obj = store.get(id);
    switch (req.method) {
      case 'PUT':
        if (req.headers['if-none-match'] === '*' && obj)
          return error(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
        store.set(id, Buffer.concat(chunks));
        res.writeHead(200);
        return res.end();
      case 'HEAD':
      case 'GET': {
        if (!obj) return error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
        const mtime = 'Mon, 06 May 2024 07:08:09 GMT';
        if (range && bucket !== 'norange') {
          const from = Number(range[1]);
          if (from >= obj.length) return error(res, 416, 'InvalidRange', 'The requested range is not satisfiable');
          const to = range[2] ? Math.min(Number(range[2]), obj.length - 1) : obj.length - 1;
          res.writeHead(206, { 'Content-Length': to - from + 1, 'Last-Modified': mtime });
          return res.end(req.method === 'HEAD' ? undefined : obj.subarray(from, to + 1));
        }
        res.writeHead(200, { 'Content-Length': obj.length, 'Last-Modified': mtime });
        return res.end(req.method === 'HEAD' ? undefined : obj);
      }
      case 'DELETE':
        store.delete(id);
        res.writeHead(204);
        return res.end();
      default:
        return error(res, 405, 'MethodNotAllowed', req.method);
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port=${server.address().port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
if (process.argv.includes('--watch-stdin')) {
  process.stdin.on('end', stop);
  process.stdin.resume();
}
