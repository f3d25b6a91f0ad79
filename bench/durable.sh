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
# removes its temp dir, also on Ctrl-C.
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

log() { printf '[durable %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for b in $BROKERS; do [[ $b =~ ^(manta-memory|manta-sync|manta-periodic|mosquitto)$ ]] || die "unknown broker '$b'"; done
[[ $DURATION =~ ^[1-9][0-9]*$ && $REPS =~ ^[1-9][0-9]*$ ]] || die "DURATION and REPS must be positive integers"
command -v python3 >/dev/null || die "python3 is needed (port picking, results, table)"
command -v dotnet >/dev/null || die "dotnet is needed"

# ---------------------------------------------------------------------------------------------
# Cleanup: only the PIDs recorded in BROKER_PID, only while they are still our children.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/manta-durable.XXXXXX")
declare -A BROKER_PID=() BROKER_PORT=()

is_ours() { # pid: alive (not a zombie) and our child, so a reused PID is never touched
    local stat rest state ppid
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    rest=${stat##*) }
    read -r state ppid _ <<<"$rest"
    [[ $state != Z && $ppid == "$$" ]]
}

stop_pid() { # pid: SIGTERM, up to 10 s, then SIGKILL
    local pid=$1 i
    if is_ours "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            is_ours "$pid" || break
            sleep 0.1
        done
        if is_ours "$pid"; then
            log "pid $pid did not stop on SIGTERM; SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? b
    trap - EXIT INT TERM
    for b in "${!BROKER_PID[@]}"; do stop_pid "${BROKER_PID[$b]}"; done
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Packages and builds.
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
if [[ " $BROKERS " == *" mosquitto "* ]] && ! command -v mosquitto >/dev/null && ! [[ -x /usr/sbin/mosquitto ]]; then
    log "installing mosquitto"
    {
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y mosquitto ||
            { as_root apt-get update && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y mosquitto; }
    } >&2
fi
# Debian's package puts the binary in /usr/sbin, which a non-root PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

build() { # project: Release build with its own artifacts dir, so nothing in the checkout's obj/ is shared
    log "building $1"
    dotnet build "$REPO/$1" -c Release --artifacts-path "$WORK/build" -nologo -v q -clp:ErrorsOnly >"$WORK/build-$(basename "$1").log" 2>&1 ||
        { cat "$WORK/build-$(basename "$1").log" >&2; die "build of $1 failed"; }
}
build bench/Manta.Bench
BENCH_DLL=$WORK/build/bin/Manta.Bench/release/manta-bench.dll
if [[ " $BROKERS " == *" manta-"* ]]; then build src/Manta.Server; fi
MANTA_DLL=$WORK/build/bin/Manta.Server/release/manta.dll

# ---------------------------------------------------------------------------------------------
# Brokers.
free_port() { # a free 127.0.0.1 port below the ephemeral range, so no client socket takes it
    python3 - <<'EOF'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(500):
    port = random.randrange(max(1024, low - 12000), low)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    print(port)
    break
EOF
}

start_broker() { # broker: start it on a fresh port, keeping its data dir; sets BROKER_PID/PORT
    local b=$1 port dir pid i
    port=$(free_port)
    if [[ -z $port ]]; then log "no free port for $b"; return 1; fi
    dir=$WORK/$b
    mkdir -p "$dir/data"
    case $b in
        manta-*)
            local -a storage
            case $b in
                manta-memory) storage=(--Manta:Storage:Mode=Memory) ;;
                manta-sync) storage=(--Manta:Storage:Mode=Sqlite --Manta:Storage:Durability=Sync) ;;
                manta-periodic) storage=(--Manta:Storage:Mode=Sqlite --Manta:Storage:Durability=Periodic "--Manta:Storage:FlushInterval=$FLUSH_INTERVAL") ;;
            esac
            dotnet "$MANTA_DLL" \
                --Manta:Listeners:0:Name=mqtt --Manta:Listeners:0:Transport=tcp \
                --Manta:Listeners:0:Address=127.0.0.1 --Manta:Listeners:0:Port="$port" \
                --Manta:Http:Enabled=false --Manta:DataDirectory="$dir/data" "${storage[@]}" \
                >>"$dir/broker.log" 2>&1 &
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
    pid=$!
    BROKER_PID[$b]=$pid
    BROKER_PORT[$b]=$port
    for ((i = 0; i < 300; i++)); do
        if ! is_ours "$pid"; then
            tail -n 20 "$dir/broker.log" >&2
            log "$b exited at start"
            return 1
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            log "$b: pid $pid, 127.0.0.1:$port"
            return 0
        fi
        sleep 0.1
    done
    tail -n 20 "$dir/broker.log" >&2
    log "$b did not accept connections on 127.0.0.1:$port within 30 s"
    stop_pid "$pid"
    return 1
}

broker_version() {
    case $1 in
        manta-*) echo "Manta $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo '+dirty')" ;;
        mosquitto) mosquitto -h 2>/dev/null | head -n 1 || true ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Runs.
json_str() { python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }

mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"
for b in $BROKERS; do start_broker "$b" || die "could not start $b"; done

{
    printf '{"type":"meta","started":%s,"duration":%s,"reps":%s,"brokers":%s,"args":%s,"flush_interval":%s' \
        "$(json_str "$(date -Is)")" "$DURATION" "$REPS" "$(json_str "$BROKERS")" "$(json_str "$BENCH_ARGS")" "$(json_str "$FLUSH_INTERVAL")"
    printf ',"versions":{'
    sep=
    for b in $BROKERS; do printf '%s"%s":%s' "$sep" "$b" "$(json_str "$(broker_version "$b")")"; sep=,; done
    printf '},"machine":%s}\n' "$(json_str "$(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), $(uname -r), dotnet $(dotnet --version)")"
} >>"$RESULTS"

record() { # rep broker status exit note: appends the run (manta-bench's JSON line from run.out) to RESULTS
    python3 - "$RESULTS" "$1" "$2" "$3" "$4" "$5" "$WORK/run.out" <<'EOF'
import json, sys
results, rep, broker, status, code, note, out = sys.argv[1:8]
result = None
try:
    for line in open(out, encoding="utf-8", errors="replace"):
        line = line.strip()
        if line.startswith("{"):
            try:
                result = json.loads(line)
                break
            except json.JSONDecodeError:
                pass
except FileNotFoundError:
    pass
if status == "ok" and not isinstance(result, dict):
    status, note = "error", "no JSON result on stdout"
elif status == "ok" and result.get("connected_at_end", 0) < result.get("connections", 0):
    # A rate means nothing once the broker has closed some of the clients.
    status = "disconnected"
    note = f"the broker closed {result['connections'] - result['connected_at_end']} of {result['connections']} connections during the run"
with open(results, "a", encoding="utf-8") as f:
    f.write(json.dumps({"type": "run", "rep": int(rep), "broker": broker, "status": status, "exit": int(code),
                        "note": note, "result": result}, separators=(",", ":")) + "\n")
if status == "ok":
    print(f"  delivery_rate = {result.get('delivery_rate')}, lost = {result.get('lost')}", file=sys.stderr)
else:
    print(f"  {status}: {note}", file=sys.stderr)
EOF
}

run_count=0
total_runs=$(($(wc -w <<<"$BROKERS") * REPS))
for ((rep = 1; rep <= REPS; rep++)); do
    for b in $BROKERS; do
        run_count=$((run_count + 1))
        status=ok exit_code=0 note=
        if ! is_ours "${BROKER_PID[$b]}" && ! start_broker "$b"; then
            status=broker-start-failed note="$b did not start (see the log above)"
            : >"$WORK/run.out"
        else
            pid=${BROKER_PID[$b]}
            port=${BROKER_PORT[$b]}
            log "[$run_count/$total_runs] rep $rep on $b"
            limit=$((DURATION * 3 + 120))
            # shellcheck disable=SC2086 # $BENCH_ARGS is a list of options on purpose
            timeout --foreground -k 10 "$limit" dotnet "$BENCH_DLL" --host 127.0.0.1 --port "$port" \
                --duration "$DURATION" --broker-pid "$pid" $BENCH_ARGS \
                >"$WORK/run.out" 2>"$WORK/run.err" || exit_code=$?
            reason=$(grep -v -e '^\[' -e '^ *$' "$WORK/run.err" | head -n 3 | paste -sd ';' - || true)
            if [[ $exit_code -eq 1 ]]; then
                status=failed note=$reason
            elif [[ $exit_code -eq 124 || $exit_code -eq 137 ]]; then
                status=timeout note="no result within ${limit} s"
            elif [[ $exit_code -ne 0 ]]; then
                status=error note="exit $exit_code: $reason"
            fi
            if ! is_ours "$pid"; then
                status=broker-died note="$b exited during the run: $(tail -n 1 "$WORK/$b/broker.log" 2>/dev/null || true)"
                wait "$pid" 2>/dev/null || true
            fi
        fi
        record "$rep" "$b" "$status" "$exit_code" "$note"
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
