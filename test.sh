#!/usr/bin/env bash
# Installs what the tests need (Debian's mosquitto-clients) and runs every test.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v mosquitto_pub >/dev/null 2>&1 || ! command -v mosquitto_sub >/dev/null 2>&1; then
  echo "test.sh: installing mosquitto-clients"
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q mosquitto-clients
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# Normal verbosity prints each project's "Total tests / Passed / Failed" block, summed below.
dotnet test Manta.slnx -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# One closing line in the plain form CI reads: "N passed, N failed".
count() { { grep -Eo "^ +$1: +[0-9]+" "$log" || true; } | awk '{s+=$2} END {print s+0}'; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  exit 1
fi
exit "$status"
