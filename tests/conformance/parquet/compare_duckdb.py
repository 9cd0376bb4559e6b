#!/usr/bin/env python3
# tests/conformance/parquet/compare_duckdb.py - read every file of the
# Parquet conformance corpus with `deltalake parquet dump --format jsonl`
# and compare with the footer's row count, *_expect.csv files and DuckDB
# (tests/peers/duckdb_query.mjs), column by column.
import csv, json, math, os, re, subprocess, sys

TS = re.compile(r'^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$')

cli = os.environ["DLK_CLI"]
data = os.path.join(os.environ.get("DLK_TESTDATA", ""), "parquet", "data")
if not os.environ.get("DLK_TESTDATA") or not os.path.isdir(data):
    print(f"FAIL: test data missing: {data} (the corpora live in tests/data of the repository; "
          "DELTALAKE_TESTDATA or -DDLK_TESTDATA at configure time point elsewhere)", file=sys.stderr)
    sys.exit(1)
peers = os.environ.get("DLK_PEERS", "")

# Files we cannot read, with the reason (the test checks they fail cleanly).
UNSUPPORTED = {
    "large_string_map.brotli.parquet": "page of more than 1 GiB uncompressed (byte arrays > 2 GiB per chunk)",
}
# Files whose read must fail with CORRUPT (deliberately broken checksums).
MUST_FAIL = {
    "datapage_v1-corrupt-checksum.parquet": "page CRC mismatch",
    "rle-dict-uncompressed-corrupt-checksum.parquet": "page CRC mismatch",
}
# Files DuckDB reads differently from the Parquet spec (values checked otherwise).
DUCKDB_DIFFERS = {
}
# Files DuckDB itself cannot read (checked against the footer and expect.csv only).
DUCKDB_CANNOT = {
    "byte_stream_split_extended.gzip.parquet": "DuckDB: BYTE_STREAM_SPLIT only for FLOAT/DOUBLE",
    "hadoop_lz4_compressed.parquet": "DuckDB: LZ4 (hadoop) codec unsupported",
    "hadoop_lz4_compressed_larger.parquet": "DuckDB: LZ4 (hadoop) codec unsupported",
    "non_hadoop_lz4_compressed.parquet": "DuckDB: LZ4 (deprecated) codec unsupported",
    "map_no_value.parquet": "DuckDB: MAP_KEY_VALUE requires two children",
}

def run(args):
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr

def norm(v):
    if isinstance(v, str):
        # DuckDB types INT96 / legacy timestamps as TIMESTAMP: drop our 'Z'
        if TS.match(v):
            return v[:-1]
        return v
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    return v

def close(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if a == b:
            return True
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-30)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    return a == b

failures = []
files = sorted(f for f in os.listdir(data) if f.endswith(".parquet"))
ours = {}
for f in files:
    path = os.path.join(data, f)
    rc, out, err = run([cli, "parquet", "dump", path, "--format", "jsonl"])
    if f in UNSUPPORTED or f in MUST_FAIL:
        if rc == 0:
            failures.append(f"{f}: expected an error ({UNSUPPORTED.get(f) or MUST_FAIL.get(f)}), read succeeded")
        elif f in MUST_FAIL and "CORRUPT" not in err:
            failures.append(f"{f}: expected CORRUPT, got: {err.strip()}")
        else:
            print(f"ok (expected error) {f}: {err.strip()[:160]}")
        continue
    if rc != 0:
        failures.append(f"{f}: read failed: {err.strip()}")
        continue
    rows = [json.loads(l) for l in out.splitlines()]
    rc, meta, err = run([cli, "parquet", "meta", path])
    if rc != 0:
        failures.append(f"{f}: meta failed: {err.strip()}")
        continue
    md = json.loads(meta)
    n = sum(g["num_rows"] for g in md["row_groups"])
    if n != len(rows):
        failures.append(f"{f}: {len(rows)} rows read, footer row groups say {n}")
        continue
    ours[f] = rows
    exp = os.path.join(data, f[:-len(".parquet")] + "_expect.csv")
    if os.path.exists(exp):
        with open(exp, newline="") as fh:
            rd = list(csv.reader(fh))
        hdr, body = [h.strip() for h in rd[0]], rd[1:]
        if len(body) != len(rows):
            failures.append(f"{f}: {len(rows)} rows, expect.csv has {len(body)}")
        else:
            bad = 0
            for i, (r, e) in enumerate(zip(rows, body)):
                for c, ev in zip(hdr, e):
                    ov = r.get(c, r.get(c + ":"))  # the file's names end in ':'
                    os_ = "" if ov is None else str(ov)
                    if os_ != ev and bad < 3:
                        failures.append(f"{f}: row {i} column {c}: ours {os_!r}, expected {ev!r}")
                        bad += 1
            print(f"ok (expect.csv) {f}" if not bad else f"FAIL (expect.csv) {f}")

if not os.path.isdir(os.path.join(peers, "node_modules")):
    print("SKIP!!! DuckDB peer not installed (bash scripts/install-peers.sh): value comparison with DuckDB NOT run")
else:
    names = [f for f in files if f in ours]
    qs = [f"SELECT * FROM read_parquet('{os.path.join(data, f)}')" for f in names]
    res = {}
    names = [f for f in names if f not in DUCKDB_CANNOT]
    for f in DUCKDB_CANNOT:
        print(f"note: not compared with DuckDB: {f}: {DUCKDB_CANNOT[f]}")
    qs = [f"SELECT * FROM read_parquet('{os.path.join(data, f)}')" for f in names]
    # one peer process for all files (statements are separated by {"__query":N} lines)
    p = subprocess.run(["node", os.path.join(peers, "duckdb_query.mjs")] + qs, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        failures.append(f"DuckDB peer failed: {p.stderr.strip()[:400]}")
    cur = None
    for l in p.stdout.splitlines():
        if not l.strip():
            continue
        o = json.loads(l)
        if isinstance(o, dict) and list(o.keys()) == ["__query"]:
            cur = names[o["__query"]]
            res[cur] = []
        elif cur is not None:
            res[cur].append(o)
    for f, drows in res.items():
        orows = ours[f]
        if f in DUCKDB_DIFFERS:
            print(f"known DuckDB difference {f}: {DUCKDB_DIFFERS[f]}")
            continue
        if len(drows) != len(orows):
            failures.append(f"{f}: {len(orows)} rows, DuckDB {len(drows)}")
            continue
        bad = 0
        for i, (o, d) in enumerate(zip(orows, drows)):
            for c in d:
                ov, dv = norm(o.get(c, "<missing>")), norm(d[c])
                if isinstance(ov, str) and re.match(r'^-?\d{5,}-', ov):
                    continue  # beyond year 9999: DuckDB's timestamp wraps around
                if not close(ov, dv):
                    if bad < 3:
                        failures.append(f"{f}: row {i} column {c}: ours {json.dumps(ov)[:200]}, DuckDB {json.dumps(dv)[:200]}")
                    bad += 1
        print(f"ok (DuckDB) {f}" if not bad else f"FAIL (DuckDB, {bad} values) {f}")

for m in failures:
    print("FAIL:", m)
print(f"{len(files)} files, {len(failures)} failures")
sys.exit(1 if failures else 0)
