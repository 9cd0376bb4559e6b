#!/bin/bash
# Conformance of the Parquet reader over the Apache parquet-testing corpus
# (tests/data/parquet/data): row counts vs footer, *_expect.csv, DuckDB.
exec python3 "$(dirname "$0")/compare_duckdb.py"
