#!/usr/bin/env bash
# Installs what the tests need (Debian's mosquitto-clients, Node.js for MQTT.js, the interop
# suite's npm packages) and runs every test: the .NET suites, then the MQTT.js interop suite.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v mosquitto_pub >/dev/null 2>&1 && command -v mosquitto_sub >/dev/null 2>&1 || missing+=(mosquitto-clients)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${missing[@]}"
fi

log="$(mktemp)"
interop_log="$(mktemp)"
trap 'rm -f "$log" "$interop_log"' EXIT
status=0

# The whole solution first (benchmarks included), so nothing that is not a test goes unbuilt.
dotnet build Manta.slnx -c Release 2>&1 | tail -3
# Normal verbosity prints each project's "Total tests / Passed / Failed" block, summed below.
dotnet test Manta.slnx -c Release --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# The interop suite runs the Release build of the server that dotnet test just built.
(cd tests/interop && npm ci --no-audit --no-fund --loglevel=error && npm test) 2>&1 | tee "$interop_log" || status=$?

# One closing line in the plain form CI reads: "N passed, N failed".
count() { { grep -Eo "^ +$1: +[0-9]+" "$log" || true; } | awk '{s+=$2} END {print s+0}'; }
node_count() { { grep -Eo "^# $1 [0-9]+" "$interop_log" || true; } | awk '{s+=$3} END {print s+0}'; }
passed=$(( $(count Passed) + $(node_count pass) ))
failed=$(( $(count Failed) + $(node_count fail) ))
skipped=$(( $(count Skipped) + $(node_count skipped) ))
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  exit 1
fi
if [ "$status" -eq 0 ] && [ "$failed" -gt 0 ]; then
  exit 1
fi
exit "$status"
