#!/usr/bin/env python3
"""Independent check of a Delta table's JSON log (test helper, not our code):
replays _delta_log/*.json, verifies versions are contiguous from 0, exactly one
protocol and metaData so far, and prints the active data files (URL-decoded
absolute paths), one a line. With --summary prints a JSON summary instead."""
import json, os, re, sys, urllib.parse

root = sys.argv[1]
summary = "--summary" in sys.argv
log = os.path.join(root, "_delta_log")
versions = sorted(int(n[:20]) for n in os.listdir(log) if re.fullmatch(r"\d{20}\.json", n))
if versions != list(range(len(versions))):
    sys.exit(f"versions not contiguous: {versions[:5]}...")
active, txns, protocol, metadata, ops = {}, {}, None, None, []
for v in versions:
    with open(os.path.join(log, f"{v:020d}.json")) as f:
        for line in f:
            if not line.strip():
                continue
            a = json.loads(line)
            if "protocol" in a:
                protocol = a["protocol"]
            if "metaData" in a:
                metadata = a["metaData"]
            if "commitInfo" in a:
                ops.append(a["commitInfo"].get("operation"))
            if "txn" in a:
                txns[a["txn"]["appId"]] = a["txn"]["version"]
            if "add" in a:
                active[a["add"]["path"]] = a["add"]
            if "remove" in a:
                active.pop(a["remove"]["path"], None)
if protocol is None or metadata is None:
    sys.exit("no protocol or metaData")
files = []
for p, add in active.items():
    path = os.path.join(root, urllib.parse.unquote(p))
    if not os.path.exists(path):
        sys.exit(f"active file missing: {path}")
    if os.path.getsize(path) != add["size"]:
        sys.exit(f"size mismatch: {path}")
    files.append(path)
if summary:
    rows = sum(json.loads(a["stats"])["numRecords"] for a in active.values() if a.get("stats"))
    print(json.dumps({"versions": len(versions), "files": len(files), "rows": rows, "txns": txns,
                      "protocol": protocol, "partitionColumns": metadata["partitionColumns"],
                      "operations": ops}))
else:
    for p in sorted(files):
        print(p)
