// tests/peers/duckdb_query.mjs - run one SQL statement in DuckDB (an
// independent engine) and print the rows as JSON lines, following the
// value conventions of include/deltalake/arrow_json.h, so tests can compare our output
// with DuckDB's line by line.
//   node duckdb_query.mjs "SELECT * FROM read_parquet('f.parquet')"
// Several statements may be given (one process, faster): each result is
// then preceded by a line {"__query":N} (N from 0).
// Known difference: DuckDB types INT96 and legacy TIMESTAMP_MILLIS/MICROS
// columns as TIMESTAMP (no time zone), so they print without the 'Z' that
// our reader gives them (they are UTC-adjusted, as arrow_json.h says); tests that
// compare such columns normalise the trailing 'Z'.
// Exit 3 when @duckdb/node-api is not installed (tests then skip loudly).
let duckdb;
try {
  duckdb = await import('@duckdb/node-api');
} catch (e) {
  console.error('duckdb peer not installed: run scripts/install-peers.sh');
  process.exit(3);
}
const { DuckDBInstance } = duckdb;
const queries = process.argv.slice(2);
if (!queries.length) {
  console.error('usage: node duckdb_query.mjs SQL [SQL...]');
  process.exit(2);
}
const threads = process.env.DUCKDB_THREADS || '1';
const inst = await DuckDBInstance.create(':memory:', { threads });
const con = await inst.connect();
await con.run("SET TimeZone='UTC'");

function b64(bytes) {
  return Buffer.from(bytes).toString('base64');
}

function pad(n, w) {
  return String(n).padStart(w, '0');
}

function fmtTimestampMicros(us, utc) {
  const big = BigInt(us);
  const day = 86400000000n;
  let days = big / day;
  let rem = big % day;
  if (rem < 0n) {
    rem += day;
    days -= 1n;
  }
  const d = new Date(Number(days) * 86400000);
  const secs = rem / 1000000n;
  const micros = rem % 1000000n;
  const hh = secs / 3600n, mm = (secs / 60n) % 60n, ss = secs % 60n;
  const y = d.getUTCFullYear();
  const date = `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  return `${date}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${pad(micros, 6)}${utc ? 'Z' : ''}`;
}

function conv(v, t) {
  if (v === null || v === undefined) return null;
  const tid = t.typeId;
  const name = t.toString();
  // lists first: a list of structs or maps is named 'STRUCT(...)[]' / 'MAP(...)[]'
  if (name.endsWith('[]') || name.startsWith('LIST')) {
    return v.items.map((x) => conv(x, t.valueType));
  }
  if (name.startsWith('STRUCT')) {
    const o = {};
    t.entryNames.forEach((n, i) => { o[n] = conv(v.entries[n], t.entryTypes[i]); });
    return o;
  }
  if (name.startsWith('MAP')) {
    const o = {};
    for (const e of v.entries) o[String(conv(e.key, t.keyType))] = conv(e.value, t.valueType);
    return o;
  }
  if (name === 'BLOB') return b64(v.bytes);
  if (name === 'DATE') {
    const days = v.days;
    const d = new Date(days * 86400000);
    return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  }
  if (name === 'TIMESTAMP WITH TIME ZONE') return fmtTimestampMicros(v.micros, true);
  if (name === 'TIMESTAMP') return fmtTimestampMicros(v.micros, false);
  if (name === 'TIMESTAMP_MS') return fmtTimestampMicros(BigInt(v.millis) * 1000n, false);
  if (name === 'TIMESTAMP_NS') return fmtTimestampMicros(BigInt(v.nanos) / 1000n, false);
  if (name === 'TIMESTAMP_S') return fmtTimestampMicros(BigInt(v.seconds) * 1000000n, false);
  if (name.startsWith('DECIMAL')) return v.toString();
  if (typeof v === 'bigint') return { __bigint: v.toString() };
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (name === 'FLOAT' && Number.isFinite(v)) {
      // shortest decimal that reads back to the same 32-bit float
      const f = Math.fround(v);
      for (let p = 1; p <= 9; p++) {
        const c = Number(f.toPrecision(p));
        if (Math.fround(c) === f) return c;
      }
      return f;
    }
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    return v;
  }
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (v && typeof v.toString === 'function') return v.toString();
  return v;
}

// JSON.stringify with exact big integers
function stringify(o) {
  return JSON.stringify(o, (k, v) => v).replace(/\{"__bigint":"(-?\d+)"\}/g, '$1');
}

for (let q = 0; q < queries.length; q++) {
  if (queries.length > 1) console.log(`{"__query":${q}}`);
  const reader = await con.runAndReadAll(queries[q]);
  const cols = reader.columnNames();
  const types = reader.columnTypes();
  const out = [];
  for (const row of reader.getRows()) {
    const o = {};
    cols.forEach((c, i) => { o[c] = conv(row[i], types[i]); });
    out.push(stringify(o));
  }
  if (out.length) console.log(out.join('\n'));
}
