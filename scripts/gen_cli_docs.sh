#!/usr/bin/env bash
# scripts/gen_cli_docs.sh CLI OUTDIR - write OUTDIR/cli.md (the CLI
# reference) and OUTDIR/deltalake.1 (the man page) from the command's own
# --help texts plus docs/predicates.txt (the predicate language), so the
# reference cannot drift from the binary: tests/lint/test_cli_docs.sh
# regenerates both and compares them with docs/.
set -euo pipefail
CLI=$1
OUT=$2
SRC=$(cd "$(dirname "$0")/.." && pwd)
PRED="$SRC/docs/predicates.txt"
cmds=$("$CLI" --help | awk '/^commands:/{c=1;next} c&&/^  [a-z]/{print $1} c&&/^$/{exit}')
ver=$("$CLI" --version | head -1 | awk '{print $2}')

{
  echo "# deltalake command reference"
  echo
  echo "Generated from \`deltalake --help\` and each \`deltalake COMMAND --help\`"
  echo "by scripts/gen_cli_docs.sh (version $ver); do not edit by hand."
  echo
  echo '```'
  "$CLI" --help
  echo '```'
  for c in $cmds; do
    echo
    echo "## deltalake $c"
    echo
    echo '```'
    "$CLI" "$c" --help
    echo '```'
  done
  echo
  echo "## The predicate language (--where, --set, --order-by)"
  echo
  echo '```'
  cat "$PRED"
  echo '```'
} >"$OUT/cli.md"

esc() { sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"; }
{
  echo ".TH DELTALAKE 1 \"\" \"deltalake $ver\" \"User Commands\""
  echo ".SH NAME"
  echo "deltalake \\- store telemetry and JSON records in Delta Lake tables"
  echo ".SH SYNOPSIS"
  echo ".B deltalake"
  echo "[\\fB\\-\\-version\\fR] [\\fB\\-\\-help\\fR] [\\fB\\-\\-quiet\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]"
  echo ".SH DESCRIPTION"
  echo ".nf"
  "$CLI" --help | esc
  echo ".fi"
  echo ".SH COMMANDS"
  for c in $cmds; do
    echo ".SS $c"
    echo ".nf"
    "$CLI" "$c" --help | esc
    echo ".fi"
  done
  echo ".SH PREDICATES"
  echo ".nf"
  esc <"$PRED"
  echo ".fi"
  echo ".SH EXIT STATUS"
  echo "0 on success, 1 on an error (message on stderr), 2 on a usage error."
  echo ".SH ENVIRONMENT"
  echo ".TP"
  echo ".B DELTALAKE_LOG"
  echo "error, warn (default), info, debug or trace: diagnostics on stderr."
  echo ".TP"
  echo ".B AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, DELTALAKE_S3_ENDPOINT"
  echo "credentials and endpoint for s3:// tables."
  echo ".SH SEE ALSO"
  echo "The Delta protocol: https://github.com/delta-io/delta/blob/master/PROTOCOL.md"
} >"$OUT/deltalake.1"
