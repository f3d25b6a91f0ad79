#!/usr/bin/env bash
# bench/durable.sh: what durability costs. QoS 1 fan-in to a subscriber with a persistent
# session, against Manta in memory, Manta on SQLite with durability "sync" and "periodic", and
# Mosquitto with persistence on; measured with the same load generator (bench/Manta.Bench).
#
# What it does:
#   1. installs the Debian package `mosquitto` when it is missing (and mosquitto is in BROKERS);
#   2. builds manta-bench and Manta (src/Manta.Server) from this checkout, Release, into a temp dir;
#   3. starts each broker on its own free 127.0.0.1 port and data directory (anonymous):
#        manta-memory    --Manta:Storage:Mode=Memory
#        manta-sync      --Manta:Storage:Mode=Sqlite --Manta:Storage:Durability=Sync
#                        (Manta's default: a QoS 1 PUBLISH is acknowledged once committed)
#        manta-periodic  --Manta:Storage:Mode=Sqlite --Manta:Storage:Durability=Periodic
#                        --Manta:Storage:FlushInterval=$FLUSH_INTERVAL
#        mosquitto       persistence true, persistence_location <tmp>/ (Mosquitto writes its
#                        whole state to disk every autosave_interval, 1800 s by default, and at
#                        exit: not per message; every other setting is its default)
#   4. for rep in 1..REPS, for broker: runs manta-bench once (interleaved, so a slow minute of
#      the machine hits every broker alike) with
#        --scenario fanin --qos 1 --publishers 8 --subscribers 1 --clean false $EXTRA_ARGS
#      and --broker-pid, and appends the result to a JSON-lines file;
#   5. prints a Markdown table: delivered msg/s median [min-max], the ratio to Manta in memory,
#      lost and duplicated deliveries, p99 latency and the broker's CPU.
# It stops only the processes it started (by PID, only while they are its children) and
# removes its temp dir, also on Ctrl-C. What it shares with bench/compare.sh (cleanup, builds,
# ports, starting brokers, one manta-bench run) is in bench/lib/brokers.sh; each run is
# written by bench/compare/record.py.
#
# Environment (all optional):
#   DURATION=10          measured seconds per run
#   REPS=3               repetitions
#   BROKERS="manta-memory manta-sync manta-periodic mosquitto"
#   FLUSH_INTERVAL=00:00:00.100   manta-periodic's Manta:Storage:FlushInterval
#   EXTRA_ARGS=          more manta-bench options, e.g. "--protocol 5"
#   PAUSE=1              seconds of rest between runs
#   RESULTS=bench/results/durable-<timestamp>.jsonl
#
# A broker that died during a run is restarted (same data directory) before its next run; the
# run is recorded as "broker-died".
# Defaults take about 3 minutes on 2 cores (12 runs of ~13 s, builds).
# Example: DURATION=5 REPS=1 BROKERS="manta-memory manta-sync" bench/durable.sh
set -euo pipefail

DURATION=${DURATION:-10}
REPS=${REPS:-3}
BROKERS=${BROKERS:-"manta-memory manta-sync manta-periodic mosquitto"}
FLUSH_INTERVAL=${FLUSH_INTERVAL:-00:00:00.100}
EXTRA_ARGS=${EXTRA_ARGS:-}
PAUSE=${PAUSE:-1}
BENCH_ARGS="--scenario fanin --qos 1 --publishers 8 --subscribers 1 --clean false${EXTRA_ARGS:+ $EXTRA_ARGS}"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS=${RESULTS:-$REPO/bench/results/durable-$STAMP.jsonl}

BENCH_NAME=durable
# shellcheck source-path=SCRIPTDIR source=lib/brokers.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/brokers.sh"

for b in $BROKERS; do [[ $b =~ ^(manta-memory|manta-sync|manta-periodic|mosquitto)$ ]] || die "unknown broker '$b'"; done
check_run_settings

# ---------------------------------------------------------------------------------------------
# Temp dir, packages and builds.
start_work
if has_broker mosquitto; then install_missing mosquitto; fi
build_bench
if [[ " $BROKERS " == *" manta-"* ]]; then build_manta; fi

# ---------------------------------------------------------------------------------------------
# Brokers. start_broker (bench/lib/brokers.sh) keeps a broker's data dir across restarts.
launch_broker() { # broker port dir
    local b=$1 port=$2 dir=$3
    case $b in
        manta-memory) launch_manta "$port" "$dir" --Manta:Storage:Mode=Memory ;;
        manta-sync) launch_manta "$port" "$dir" --Manta:Storage:Mode=Sqlite --Manta:Storage:Durability=Sync ;;
        manta-periodic)
            launch_manta "$port" "$dir" --Manta:Storage:Mode=Sqlite --Manta:Storage:Durability=Periodic \
                "--Manta:Storage:FlushInterval=$FLUSH_INTERVAL"
            ;;
        mosquitto)
            cat >"$dir/mosquitto.conf" <<EOF
# Persistence on, anonymous, one listener on loopback; every other setting (autosave_interval,
# queue and inflight limits included) is Mosquitto's default, as users run it.
listener $port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $dir/data/
log_dest stderr
EOF
            mosquitto -c "$dir/mosquitto.conf" >>"$dir/broker.log" 2>&1 &
            ;;
    esac
}

broker_version() {
    case $1 in
        manta-*) manta_version ;;
        mosquitto) mosquitto_version ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Runs.
mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"
for b in $BROKERS; do start_broker "$b" || die "could not start $b"; done
write_meta ",\"args\":$(json_str "$BENCH_ARGS"),\"flush_interval\":$(json_str "$FLUSH_INTERVAL")"

run_count=0
total_runs=$(($(wc -w <<<"$BROKERS") * REPS))
for ((rep = 1; rep <= REPS; rep++)); do
    for b in $BROKERS; do
        run_count=$((run_count + 1))
        status=ok exit_code=0 note=
        if ! is_ours "${BROKER_PID[$b]}" && ! start_broker "$b"; then
            status=broker-start-failed note="$b did not start (see the log above)"
        else
            log "[$run_count/$total_runs] rep $rep on $b"
            run_bench "$b" $((DURATION * 3 + 120)) "$BENCH_ARGS"
        fi
        python3 "$REPO/bench/compare/record.py" "$RESULTS" --rep "$rep" --broker "$b" \
            --status "$status" --exit "$exit_code" --note "$note" --stdout "$WORK/run.out" \
            --show delivery_rate --show lost
        rm -f "$WORK/run.out" "$WORK/run.err"
        sleep "$PAUSE"
    done
done

# ---------------------------------------------------------------------------------------------
# Table.
python3 - "$RESULTS" <<'EOF'
import json, statistics, sys

meta, runs = {}, []
for line in open(sys.argv[1], encoding="utf-8"):
    record = json.loads(line)
    if record.get("type") == "meta":
        meta = record
    elif record.get("type") == "run":
        runs.append(record)

def rate(v):
    if v >= 999_500:
        return f"{v / 1e6:.3g}M"
    return f"{v / 1000:.3g}k" if v >= 1000 else f"{v:.3g}"

def us(v):
    return f"{v / 1000:.3g} ms" if v >= 1000 else f"{v:.3g} µs"

def cell(values, fmt):
    if not values:
        return "n/a"
    med = statistics.median(values)
    return fmt(med) if len(values) == 1 else f"{fmt(med)} [{fmt(min(values))}-{fmt(max(values))}]"

brokers = meta.get("brokers", "").split()
ok = {b: [r["result"] for r in runs if r["broker"] == b and r["status"] == "ok"] for b in brokers}
memory = [r["delivery_rate"] for r in ok.get("manta-memory", [])]
baseline = statistics.median(memory) if memory else None

print(f"\nQoS 1 fan-in, persistent subscriber session: `{meta.get('args', '')}`, "
      f"{meta.get('duration')} s x {meta.get('reps')} reps, interleaved; {meta.get('machine', '')}\n")
print("| broker | delivered msg/s ↑ | ratio to manta-memory | lost | duplicated | p99 latency | broker CPU % |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for b in brokers:
    results = ok[b]
    rates = [r["delivery_rate"] for r in results]
    ratio = "n/a"
    if rates and baseline:
        ratio = f"{statistics.median(rates) / baseline:.2f}"
    lost = sum(r.get("lost") or 0 for r in results) if results else "n/a"
    dup = sum(r.get("duplicated") or 0 for r in results) if results else "n/a"
    p99 = [r["latency_p99_us"] for r in results if r.get("latency_p99_us") is not None]
    cpu = [r["broker_cpu_percent"] for r in results if r.get("broker_cpu_percent") is not None]
    print(f"| {b} | {cell(rates, rate)} | {ratio} | {lost} | {dup} | {cell(p99, us)} | {cell(cpu, lambda v: f'{v:.0f}')} |")

print("\nlost, duplicated: totals over the runs. broker CPU: % of one core. "
      f"manta-periodic flushes every {meta.get('flush_interval')}; Mosquitto writes its state every autosave_interval (1800 s) and at exit.")
failed = [r for r in runs if r["status"] != "ok"]
if failed:
    print("\nRuns without a result:")
    for r in failed:
        print(f"- rep {r['rep']} {r['broker']}: {r['status']}: {r['note']}")
print("\nversions: " + "; ".join(f"{k}: {v}" for k, v in meta.get("versions", {}).items()))
EOF
log "results: $RESULTS"
