// bench/report.mjs - turn bench/run.sh's results.jsonl into the printed
// table and bench/results/latest.json (machine, commit, settings, and every
// measurement, so runs can be compared over time).
//   node bench/report.mjs --results FILE --out JSON --rows N --data-bytes B --threads T ...
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const a = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) a[argv[i].replace(/^--/, '')] = argv[i + 1];
const recs = readFileSync(a.results, 'utf8').split('\n').filter(Boolean).map((l) => {
  try { return JSON.parse(l); } catch { return { status: 'bad-record', raw: l }; }
});
const threads = Number(a.threads);

const ROWS = [
  // [case, label, title]
  ['ingest', 'main', '1 ingest NDJSON -> partitioned snappy'],
  ['ingest', 'threads', `1e ingest, ${threads} threads (write --threads ${threads})`],
  ['pipeline', 'convert', '1c NDJSON -> Arrow only (library)'],
  ['pipeline', 'main', '1b NDJSON -> 1 Parquet file (library, no Delta)'],
  ['pqwrite', 'main', '1d Parquet write: rows in memory -> 1 file'],
  ['scan', 'main', '2 full scan count'],
  ['filter', 'main', '3 filtered scan + projection'],
  ['lookup', 'zorder', '4a Z-order by id (setup)'],
  ['lookup', 'main', '4 point lookup by id'],
  ['groupby', 'main', '5 group-by aggregate'],
  ['upsert', 'main', '6 upsert 10k keys'],
  ['delete', 'main', '7 delete by predicate'],
  ['snapshot', '300k-files', '8a snapshot load, 300k files'],
  ['snapshot', '300k-files-checkpointed', '8c snapshot load, 300k files, checkpointed'],
  ['snapshot', `${a['log-commits']}-commits`, `8b snapshot load, ${a['log-commits']} commits`],
  ['commits', 'main', `9 ${a['cli-commits']} small commits (CLI)`],
  ['commits', 'library', `9b ${Number(a.commits) - Number(a['cli-commits'])} more small commits (library)`],
  ['optimize', 'main', `10 optimize ${a.commits} small files`],
  ['pqread', 'main', 'P Parquet read, all columns (reader only; MB/s uncompressed)'],
];

const ours = (c, l) => recs.find((r) => r.engine === 'ours' && r.case === c && r.label === l);
const duck = (c, t) => recs.find((r) => r.engine === 'duckdb' && r.case === c && r.threads === t);
const fmtS = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toFixed(3));
function oursCell(r) {
  if (!r) return 'not run';
  if (r.status === 'ok') return fmtS(r.measure.wall_s);
  if (r.status === 'not_built') return 'n/a (not built yet)';
  return r.status;
}
function duckCell(r) {
  if (!r) return '-';
  if (r.status === 'ok') return fmtS(r.seconds);
  return r.status === 'n/a' ? 'n/a' : r.status;
}
function human(n) {
  if (!isFinite(n)) return '-';
  if (n >= 1e6) return (n / 1e6).toFixed(2) + 'M';
  if (n >= 1e3) return (n / 1e3).toFixed(1) + 'k';
  return n.toFixed(1);
}

const table = [];
const summary = [];
for (const [c, l, title] of ROWS) {
  const o = ours(c, l);
  const isMain = l === 'main';
  const d1 = isMain || c === 'snapshot' ? duck(c, 1) : undefined;
  // a row of ours on all threads is compared with DuckDB on all threads
  const allThreads = l === 'threads';
  const dn = (isMain || allThreads) && threads > 1 ? duck(c, threads) : undefined;
  if (!o && !d1) continue;
  const ok = o && o.status === 'ok';
  // inner_s: the command measured its own part (pqwrite: the write alone)
  const t = ok ? (o.inner_s ?? o.measure.wall_s) : NaN;
  const ratio = ok && d1 && d1.status === 'ok' ? t / d1.seconds : NaN;
  const notes = [];
  if (ok && c === 'commits' && l === 'library') notes.push('dlk_table_write_text in a loop');
  if (ok && c === 'commits') notes.push(`${(o.rows / 10 / t).toFixed(0)} commits/s`);
  if (ok && allThreads && dn && dn.status === 'ok') notes.push(`ours/duckdb ${threads}t = ${(t / dn.seconds).toFixed(2)}`);
  if (ok && o.inner_s != null) notes.push(`ours: the write inside the process (conversion before it not timed; RSS holds all rows as Arrow); MB/s of ${(o.bytes / 1e6).toFixed(0)} MB Arrow data -> ${(o.file_size / 1e6).toFixed(0)} MB file`);
  if (c === 'lookup' && isMain) {
    const info = ours('lookup', 'files');
    if (info) notes.push(`stats select ${info.candidate_files ?? '?'} of ${info.live_files ?? '?'} files${info.zordered ? ' (Z-ordered)' : ' (not Z-ordered)'}`);
  }
  if (ok && ['filter', 'lookup'].includes(c) && d1 && d1.status === 'ok') {
    const ourRows = o.out_lines; // jsonl: one line a row
    if (ourRows !== d1.rows) notes.push(`ROW COUNT DIFFERS: ours ${ourRows}, duckdb ${d1.rows}`);
    else notes.push(`${ourRows} rows, same as DuckDB`);
  }
  const info = ok && isMain ? ours(c, 'info')?.out : undefined;
  if (info && c === 'upsert') notes.push(`ours: ${info.rows_updated} updated, ${info.rows_inserted} inserted, ${info.files_rewritten} files rewritten, ${info.dvs_written} DVs`);
  if (info && c === 'delete') notes.push(`ours: ${info.rows_deleted} rows deleted with ${info.dvs_written} deletion vectors, ${info.files_rewritten} files rewritten`);
  if (d1 && d1.status === 'n/a') notes.push('DuckDB: ' + d1.reason);
  if (d1 && d1.note) notes.push('DuckDB: ' + d1.note);
  if (o && o.status === 'not_built' && o.stderr && !/not implemented/.test(o.stderr)) notes.push('ours: ' + o.stderr);
  if (o && o.status !== 'ok' && o.status !== 'not_built' && o.stderr) notes.push('ours: ' + o.stderr.trim().split('\n')[0].slice(0, 120));
  if (d1 && ['error', 'failed', 'timeout'].includes(d1.status)) notes.push('duckdb: ' + String(d1.reason || '').slice(0, 120));
  const row = {
    case: title,
    ours_s: ok && o.inner_s != null ? fmtS(t) : oursCell(o),
    cpu_s: ok ? fmtS(o.inner_cpu_s ?? o.measure.user_s + o.measure.sys_s) : '-',
    duck1_s: duckCell(d1),
    duckn_s: duckCell(dn),
    ratio: isFinite(ratio) ? ratio.toFixed(2) : '-',
    rows_s: ok && o.rows > 0 ? human(o.rows / t) : '-',
    mb_s: ok && o.bytes > 0 ? (o.bytes / 1e6 / t).toFixed(1) : '-',
    rss: ok && o.measure.max_rss_kb ? (o.measure.max_rss_kb / 1024).toFixed(0) + ' MB' : '-',
    notes: notes.join('; '),
  };
  table.push(row);
  summary.push({
    case: c, label: l, title,
    ours: o ? { status: o.status, seconds: ok ? t : null, max_rss_kb: o.measure?.max_rss_kb ?? null,
      user_s: o.measure?.user_s ?? null, sys_s: o.measure?.sys_s ?? null, rows: o.rows, bytes: o.bytes } : null,
    duckdb_1: d1 ? { status: d1.status, seconds: d1.seconds ?? null, rows: d1.rows ?? null,
      process_wall_s: d1.measure?.wall_s ?? null, max_rss_kb: d1.measure?.max_rss_kb ?? null, reason: d1.reason } : null,
    duckdb_all: dn ? { threads, status: dn.status, seconds: dn.seconds ?? null, rows: dn.rows ?? null,
      process_wall_s: dn.measure?.wall_s ?? null, max_rss_kb: dn.measure?.max_rss_kb ?? null, reason: dn.reason } : null,
    ratio_ours_over_duckdb_1: isFinite(ratio) ? ratio : null,
    rows_per_s: ok && o.rows > 0 ? o.rows / t : null,
    mb_per_s: ok && o.bytes > 0 ? o.bytes / 1e6 / t : null,
    notes: row.notes,
  });
}

const head = { case: 'case', ours_s: 'ours (s)', cpu_s: 'ours cpu (s)', duck1_s: 'duckdb 1t (s)', duckn_s: `duckdb ${threads}t (s)`,
  ratio: 'ours/duck1t', rows_s: 'rows/s', mb_s: 'MB/s', rss: 'our peak RSS', notes: 'notes' };
const keys = Object.keys(head);
const w = Object.fromEntries(keys.map((k) => [k, Math.max(head[k].length, ...table.map((r) => String(r[k]).length))]));
const line = (r) => '| ' + keys.map((k) => String(r[k]).padEnd(w[k])).join(' | ') + ' |';
const md = [line(head), '|' + keys.map((k) => '-'.repeat(w[k] + 2)).join('|') + '|', ...table.map(line)].join('\n');
console.log(`\nbenchmark: ${a.rows} rows (${(Number(a['data-bytes']) / 1e6).toFixed(0)} MB NDJSON), read cases on Parquet files written by ${a['files-from']}; ` +
  `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}, commit ${a.commit}`);
console.log('ours = wall time of the deltalake process (cpu = its user+sys time); duckdb = time of the statement inside DuckDB (node start-up excluded); ratio < 1: we are faster\n');
console.log(md);

const result = {
  generated_at: new Date().toISOString(),
  commit: a.commit,
  load_avg_at_end: os.loadavg(),
  machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? null, mem_gib: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()}`, node: process.version },
  settings: { rows: Number(a.rows), ndjson_bytes: Number(a['data-bytes']), duckdb_threads_all: threads,
    read_files_written_by: a['files-from'], small_commits: Number(a.commits), cli_commits: Number(a['cli-commits']), log_commits: Number(a['log-commits']) },
  cases: summary,
  table_markdown: md,
  raw: recs,
};
if (a.out) {
  mkdirSync(path.dirname(a.out), { recursive: true });
  writeFileSync(a.out, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nresults: ${a.out}`);
}
