// tests/peers/arrow_rs_read.mjs - read whole Parquet files with the Rust
// Arrow/Parquet implementation (arrow-rs, the reader of delta-rs, compiled
// to WebAssembly as parquet-wasm): a second independent reader beside
// DuckDB. Every page of every column is decoded. Prints one JSON line per
// file: {"file", "rows", "schema": "name: Type, ..."} or {"file", "error"}.
//   node arrow_rs_read.mjs a.parquet b.parquet ...
// Exit 3 when parquet-wasm is not installed (tests then skip loudly).
import { readFileSync } from 'node:fs';
let pq, arrow;
try {
  pq = await import('parquet-wasm/node');
  arrow = await import('apache-arrow');
} catch (e) {
  console.error('parquet-wasm peer not installed: run scripts/install-peers.sh');
  process.exit(3);
}
let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const wt = pq.readParquet(new Uint8Array(readFileSync(file)));
    const t = arrow.tableFromIPC(wt.intoIPCStream());
    const schema = t.schema.fields.map((f) => `${f.name}: ${f.type}`).join(', ');
    console.log(JSON.stringify({ file, rows: t.numRows, schema }));
  } catch (e) {
    failed++;
    console.log(JSON.stringify({ file, error: String(e && e.message ? e.message : e) }));
  }
}
process.exit(failed ? 1 : 0);
