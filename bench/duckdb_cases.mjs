// bench/duckdb_cases.mjs - the DuckDB side of each benchmark case
// (bench/run.sh). One case per process, so bench/rss_exec can measure the
// process's peak RSS. Prints one JSON object on stdout:
//   {"engine":"duckdb","case":C,"threads":N,"status":"ok","seconds":S,"rows":R,...}
// where seconds is the time of the statement(s) inside DuckDB (instance
// start-up excluded), or {"status":"n/a","reason":...} for cases DuckDB has no
// equivalent for here.
//
//   node bench/duckdb_cases.mjs CASE --threads N [--input NDJSON] [--files LIST]
//        [--out DIR] [--id X] [--service S] [--upsert NDJSON]
// LIST is a text file with one Parquet path per line (the data files of our
// table, or DuckDB's own output when our table is not available).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../tests/peers/package.json'));
let duckdb;
try {
  duckdb = require('@duckdb/node-api');
} catch (e) {
  console.log(JSON.stringify({ engine: 'duckdb', status: 'n/a', reason: 'duckdb peer not installed (run scripts/install-peers.sh)' }));
  process.exit(3);
}

const argv = process.argv.slice(2);
const kase = argv[0];
const opt = {};
for (let i = 1; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
const threads = opt.threads || '1';

const COLUMNS = "{id:'BIGINT', trace_id:'VARCHAR', span_id:'VARCHAR', parent_span_id:'VARCHAR', " +
  "timestamp:'TIMESTAMP', service_name:'VARCHAR', operation:'VARCHAR', duration_ms:'DOUBLE', " +
  "status_code:'INTEGER', date:'DATE', hour:'INTEGER', attributes:'MAP(VARCHAR, VARCHAR)'}";
const q = (s) => "'" + String(s).replace(/'/g, "''") + "'";
const readJson = (f) => `read_json(${q(f)}, format='newline_delimited', columns=${COLUMNS})`;
function files() {
  const list = readFileSync(opt.files, 'utf8').split('\n').filter((l) => l.length > 0);
  if (list.length === 0) throw new Error(`no files in ${opt.files}`);
  return `read_parquet([${list.map(q).join(',')}], hive_partitioning=true)`;
}
const PART = "(FORMAT parquet, PARTITION_BY (date, service_name), COMPRESSION snappy, OVERWRITE_OR_IGNORE)";

const NA = {
  snapshot: 'DuckDB has no Delta reader here (the delta extension needs network access); no Delta log to load',
  commits: 'DuckDB writes plain Parquet files; there is no transaction log to commit to',
};

function out(o) {
  console.log(JSON.stringify({ engine: 'duckdb', case: kase, threads: Number(threads), ...o }));
}

if (NA[kase]) {
  out({ status: 'n/a', reason: NA[kase] });
  process.exit(0);
}

const inst = await duckdb.DuckDBInstance.create(':memory:', { threads: String(threads) });
const con = await inst.connect();
await con.run("SET TimeZone='UTC'");
await con.run('SET preserve_insertion_order=false');

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, ...r };
}
async function rowsOf(sql) {
  const reader = await con.runAndReadAll(sql);
  return reader.getRows();
}
async function changed(sql) {
  const reader = await con.runAndReadAll(sql);
  const rows = reader.getRows();
  return rows.length ? Number(rows[0][0]) : 0;
}

try {
  let r;
  switch (kase) {
    case 'ingest': // NDJSON -> partitioned snappy Parquet
      r = await timed(async () => ({ rows: await changed(`COPY (SELECT * FROM ${readJson(opt.input)}) TO ${q(opt.out)} ${PART}`) }));
      break;
    case 'pqwrite': { // Parquet write alone: rows already in memory -> one snappy Parquet file
      await con.run(`CREATE TABLE spans AS SELECT * FROM ${readJson(opt.input)}`); // not timed
      r = await timed(async () => ({ rows: await changed(`COPY spans TO ${q(opt.out)} (FORMAT parquet, COMPRESSION snappy)`),
        note: 'COPY of an in-memory table (loaded from the NDJSON first, not timed)' }));
      break;
    }
    case 'pipeline': // NDJSON -> one Parquet file, no partitioning
      r = await timed(async () => ({ rows: await changed(`COPY (SELECT * FROM ${readJson(opt.input)}) TO ${q(opt.out)} (FORMAT parquet, COMPRESSION snappy)`) }));
      break;
    case 'scan': // full scan count
      r = await timed(async () => ({ rows: Number((await rowsOf(`SELECT count(*) FROM ${files()}`))[0][0]), note: 'count(*) is answered from the Parquet footers' }));
      break;
    case 'filter': { // filtered scan with projection, rows materialized in the client
      const sql = `SELECT id, timestamp, operation, duration_ms FROM ${files()} WHERE service_name = ${q(opt.service)} AND status_code = 500`;
      r = await timed(async () => ({ rows: (await rowsOf(sql)).length }));
      break;
    }
    case 'lookup': {
      const sql = `SELECT * FROM ${files()} WHERE id = ${BigInt(opt.id)}`;
      r = await timed(async () => ({ rows: (await rowsOf(sql)).length }));
      break;
    }
    case 'groupby': {
      const sql = `SELECT service_name, count(*), avg(duration_ms), max(duration_ms) FROM ${files()} GROUP BY service_name`;
      r = await timed(async () => ({ rows: (await rowsOf(sql)).length }));
      break;
    }
    case 'upsert': // no table format: rewrite every file (anti-join + new rows)
      r = await timed(async () => ({
        rows: await changed(`COPY (SELECT t.* FROM ${files()} t ANTI JOIN ${readJson(opt.upsert)} u ON t.id = u.id
                             UNION ALL BY NAME SELECT * FROM ${readJson(opt.upsert)}) TO ${q(opt.out)} ${PART}`),
        note: 'Parquet has no merge: full rewrite of the data set',
      }));
      break;
    case 'delete': // no deletion vectors on plain Parquet: rewrite without the rows
      r = await timed(async () => ({
        rows: await changed(`COPY (SELECT * FROM ${files()} WHERE NOT (status_code = 404)) TO ${q(opt.out)} ${PART}`),
        note: 'Parquet has no deletion vectors: full rewrite of the data set',
      }));
      break;
    case 'optimize': // compaction = copy the small files into one
      r = await timed(async () => ({
        rows: await changed(`COPY (SELECT * FROM ${files()}) TO ${q(opt.out)} (FORMAT parquet, COMPRESSION snappy)`),
        note: 'COPY of the small files into one Parquet file',
      }));
      break;
    case 'pqread': { // Parquet reader: decode every column of every file (no partition columns)
      const list = readFileSync(opt.files, 'utf8').split('\n').filter((l) => l.length > 0);
      const sql = `SELECT count(*), max(hash(COLUMNS(*))) FROM read_parquet([${list.map(q).join(',')}])`;
      r = await timed(async () => ({ rows: Number((await rowsOf(sql))[0][0]),
        note: 'read_parquet of every column, each value hashed (max(hash(COLUMNS(*)))) so nothing is skipped' }));
      break;
    }
    default:
      out({ status: 'error', reason: `unknown case ${kase}` });
      process.exit(2);
  }
  out({ status: 'ok', ...r });
} catch (e) {
  out({ status: 'error', reason: String(e && e.message ? e.message : e).slice(0, 500) });
  process.exit(1);
}
