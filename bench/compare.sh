#!/usr/bin/env bash
# bench/compare.sh: Manta side by side with Mosquitto, MQTTnet and NATS's MQTT listener, on
# loopback, measured with the same load generator (bench/Manta.Bench, `manta-bench`).
#
# What it does:
#   1. installs the Debian packages `mosquitto` and `nats-server` when they are missing;
#   2. builds manta-bench, Manta (src/Manta.Server) and the MQTTnet host
#      (bench/Manta.MqttNetServer) from this checkout, Release, into a temp dir;
#   3. starts each broker on its own free 127.0.0.1 port (in memory, anonymous, defaults);
#   4. for rep in 1..REPS, for scenario, for broker: runs manta-bench once (interleaved, so a
#      slow minute of the machine hits every broker alike) with --broker-pid, so the broker's
#      CPU and RSS are measured too, and appends the JSON line to a results file;
#   5. prints a Markdown table: median [min-max] per scenario and broker, Manta's ratio to
#      each peer, and the broker's and the tool's CPU, loss and duplicates.
# It stops only the processes it started (by PID) and removes its temp dir, also on Ctrl-C.
#
# Environment (all optional):
#   DURATION=10          measured seconds per run
#   REPS=3               repetitions of the whole scenario list
#   BROKERS="manta mosquitto mqttnet nats"
#   SCENARIOS="..."      a subset of the names below, in the order to run (default: all)
#   IDLE_CONNECTIONS=19000      connections held by idle-19k (the name stays idle-19k)
#   CONNECT_CONNECTIONS=        connections opened by connect-storm (default: as many as
#                               DURATION allows)
#   CONNECT_PARALLEL=64         handshakes in flight at once in connect-storm
#   SKIP="nats:qos2-fanin ..."  broker:scenario pairs not to run (shown as n/a, "skipped")
#   PAUSE=1              seconds of rest between runs
#   MANTA_STORAGE=Memory Manta's Manta:Storage:Mode (Memory or Sqlite)
#   RESULTS=bench/results/compare-<timestamp>.jsonl
#
# Restarts: a broker is restarted (new process, empty data dir, new port) before idle-19k and
# connect-storm, so its memory baseline is not what earlier throughput runs left behind, and
# again after them, so the thousands of sessions they opened and closed do not weigh on the
# next scenario. A broker that died during a run is restarted before its next run (the run is
# recorded as "broker-died"). Everything else runs against the same process.
#
# n/a in the table, with the reason listed under it: "failed" (manta-bench exit 1: setup refused,
# e.g. NATS answers an MQTT 5 CONNECT with "unacceptable protocol version", or a broker that
# cannot take IDLE_CONNECTIONS connections), "disconnected" (the broker closed clients during a
# message scenario, e.g. NATS on a QoS 2 PUBLISH), "timeout", "error", "broker-died", "skipped".
#
# Results: one JSON object per line; the first ("type":"meta") holds the settings and versions,
# then one per run ("type":"run") with manta-bench's JSON line under "result". The tables can be
# printed again from it: python3 bench/compare/table.py <file>
#
# Defaults take about 25 minutes on 2 cores (108 runs of ~14 s, builds, restarts).
# Example: DURATION=3 REPS=1 SCENARIOS="qos0-fanin qos1-fanin" bench/compare.sh
set -euo pipefail

DURATION=${DURATION:-10}
REPS=${REPS:-3}
BROKERS=${BROKERS:-"manta mosquitto mqttnet nats"}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-19000}
CONNECT_CONNECTIONS=${CONNECT_CONNECTIONS:-}
CONNECT_PARALLEL=${CONNECT_PARALLEL:-64}
SKIP=${SKIP:-}
PAUSE=${PAUSE:-1}
# Manta's state: Memory like the peers here (Mosquitto without persistence, MQTTnet, NATS core
# MQTT sessions); bench/durable.sh measures Sqlite.
MANTA_STORAGE=${MANTA_STORAGE:-Memory}

# ---------------------------------------------------------------------------------------------
# Scenarios: name -> "<main metric>|<manta-bench arguments>". The metric is the JSON field that
# the table compares (bench/compare/table.py knows whether higher or lower is better).
declare -A SCENARIO=(
    [qos0-fanin]="delivery_rate|--scenario fanin --qos 0 --publishers 8 --subscribers 1"
    [qos0-fanout]="delivery_rate|--scenario fanout --qos 0 --publishers 1 --subscribers 100"
    [qos1-fanin]="delivery_rate|--scenario fanin --qos 1 --publishers 8 --subscribers 1"
    [qos1-pairs]="delivery_rate|--scenario pairs --qos 1 --pairs 50"
    [qos2-fanin]="delivery_rate|--scenario fanin --qos 2 --publishers 8 --subscribers 1"
    [latency-8k]="latency_p99_us|--scenario fanin --qos 0 --publishers 8 --subscribers 1 --rate 8000"
    [v5-qos1-fanin]="delivery_rate|--scenario fanin --qos 1 --publishers 8 --subscribers 1 --protocol 5"
    [idle-19k]="broker_rss_per_connection_bytes|--scenario idle --connections $IDLE_CONNECTIONS --source-addresses 8"
    [connect-storm]="connect_rate|--scenario connect --parallel $CONNECT_PARALLEL --source-addresses 8${CONNECT_CONNECTIONS:+ --connections $CONNECT_CONNECTIONS}"
)
ALL_SCENARIOS="qos0-fanin qos0-fanout qos1-fanin qos1-pairs qos2-fanin latency-8k v5-qos1-fanin idle-19k connect-storm"
SCENARIOS=${SCENARIOS:-$ALL_SCENARIOS}
# Scenarios that want a fresh broker and leave one that is not (see "Restarts" above).
HEAVY_SCENARIOS=" idle-19k connect-storm "

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS=${RESULTS:-$REPO/bench/results/compare-$STAMP.jsonl}

log() { printf '[compare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for s in $SCENARIOS; do [[ -n ${SCENARIO[$s]:-} ]] || die "unknown scenario '$s' (known: $ALL_SCENARIOS)"; done
for b in $BROKERS; do [[ $b =~ ^(manta|mosquitto|mqttnet|nats)$ ]] || die "unknown broker '$b'"; done
[[ $DURATION =~ ^[1-9][0-9]*$ && $REPS =~ ^[1-9][0-9]*$ ]] || die "DURATION and REPS must be positive integers"
command -v python3 >/dev/null || die "python3 is needed (port picking, results, table)"
command -v dotnet >/dev/null || die "dotnet is needed"

# ---------------------------------------------------------------------------------------------
# Cleanup: only the PIDs recorded in BROKER_PID, only while they are still our children.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/manta-compare.XXXXXX")
declare -A BROKER_PID=() BROKER_PORT=() BROKER_FRESH=() BROKER_RUNS=()

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
install_packages() {
    local missing=()
    if [[ " $BROKERS " == *" mosquitto "* ]] && ! command -v mosquitto >/dev/null; then missing+=(mosquitto); fi
    if [[ " $BROKERS " == *" nats "* ]] && ! command -v nats-server >/dev/null; then missing+=(nats-server); fi
    if ((${#missing[@]} == 0)); then return 0; fi
    log "installing ${missing[*]}"
    {
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" ||
            { as_root apt-get update && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; }
    } >&2
}
install_packages
# Debian's packages put the binaries in /usr/sbin, which a non-root PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

build() { # project: Release build with its own artifacts dir, so nothing in the checkout's obj/ is shared
    log "building $1"
    dotnet build "$REPO/$1" -c Release --artifacts-path "$WORK/build" -nologo -v q -clp:ErrorsOnly >"$WORK/build-$(basename "$1").log" 2>&1 ||
        { cat "$WORK/build-$(basename "$1").log" >&2; die "build of $1 failed"; }
}
build bench/Manta.Bench
BENCH_DLL=$WORK/build/bin/Manta.Bench/release/manta-bench.dll
if [[ " $BROKERS " == *" manta "* ]]; then build src/Manta.Server; fi
if [[ " $BROKERS " == *" mqttnet "* ]]; then build bench/Manta.MqttNetServer; fi
MANTA_DLL=$WORK/build/bin/Manta.Server/release/manta.dll
MQTTNET_DLL=$WORK/build/bin/Manta.MqttNetServer/release/mqttnet-server.dll

# As many file descriptors as we may have: idle-19k needs more than 19,000 on each side.
if [[ $(id -u) -eq 0 ]]; then ulimit -Hn "$(cat /proc/sys/fs/nr_open)" 2>/dev/null || true; fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
log "open files limit: $(ulimit -n)"

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

start_broker() { # broker: start it on a fresh port and data dir; sets BROKER_PID/PORT
    local b=$1 port dir pid
    port=$(free_port)
    if [[ -z $port ]]; then log "no free port for $b"; return 1; fi
    dir=$WORK/$b
    rm -rf "$dir"
    mkdir -p "$dir/data"
    case $b in
        manta)
            dotnet "$MANTA_DLL" \
                --Manta:Listeners:0:Name=mqtt --Manta:Listeners:0:Transport=tcp \
                --Manta:Listeners:0:Address=127.0.0.1 --Manta:Listeners:0:Port="$port" \
                --Manta:Http:Enabled=false --Manta:DataDirectory="$dir/data" \
                --Manta:Storage:Mode="$MANTA_STORAGE" \
                >"$dir/broker.log" 2>&1 &
            ;;
        mosquitto)
            cat >"$dir/mosquitto.conf" <<EOF
# In memory, anonymous, one listener on loopback; every other setting (queue limits
# included) is Mosquitto's default, as users run it.
listener $port 127.0.0.1
allow_anonymous true
persistence false
log_dest stderr
EOF
            mosquitto -c "$dir/mosquitto.conf" >"$dir/broker.log" 2>&1 &
            ;;
        mqttnet)
            dotnet "$MQTTNET_DLL" "$port" >"$dir/broker.log" 2>&1 &
            ;;
        nats)
            cat >"$dir/nats.conf" <<EOF
# JetStream on (the MQTT listener needs it), NATS client port on loopback too.
server_name: manta_compare
listen: 127.0.0.1:$(free_port)
jetstream {
    store_dir: "$dir/data"
}
mqtt {
    listen: 127.0.0.1:$port
}
EOF
            nats-server -js -c "$dir/nats.conf" >"$dir/broker.log" 2>&1 &
            ;;
    esac
    pid=$!
    BROKER_PID[$b]=$pid
    BROKER_PORT[$b]=$port
    local i
    for ((i = 0; i < 300; i++)); do
        if ! is_ours "$pid"; then
            tail -n 20 "$dir/broker.log" >&2
            log "$b exited at start"
            return 1
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            BROKER_FRESH[$b]=1
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

restart_broker() {
    log "restarting $1"
    stop_pid "${BROKER_PID[$1]}"
    start_broker "$1"
}

broker_version() {
    case $1 in
        manta) echo "Manta $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo '+dirty')" ;;
        mosquitto) mosquitto -h 2>/dev/null | head -n 1 || true ;;
        mqttnet) echo "MQTTnet.Server 5.2.0.1603" ;;
        nats) echo "nats-server $(nats-server --version 2>/dev/null | sed 's/^nats-server: *//')" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Runs.
json_str() { python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }

mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"
for b in $BROKERS; do start_broker "$b" || die "could not start $b"; done

{
    printf '{"type":"meta","started":%s,"duration":%s,"reps":%s,"brokers":%s,"scenarios":%s' \
        "$(json_str "$(date -Is)")" "$DURATION" "$REPS" "$(json_str "$BROKERS")" "$(json_str "$SCENARIOS")"
    printf ',"versions":{'
    sep=
    for b in $BROKERS; do printf '%s"%s":%s' "$sep" "$b" "$(json_str "$(broker_version "$b")")"; sep=,; done
    printf '},"machine":%s}\n' "$(json_str "$(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), $(uname -r), dotnet $(dotnet --version)")"
} >>"$RESULTS"

run_count=0
total_runs=$(($(wc -w <<<"$SCENARIOS") * $(wc -w <<<"$BROKERS") * REPS))
for ((rep = 1; rep <= REPS; rep++)); do
    for s in $SCENARIOS; do
        metric=${SCENARIO[$s]%%|*}
        args=${SCENARIO[$s]#*|}
        for b in $BROKERS; do
            run_count=$((run_count + 1))
            status=ok exit_code=0 note=
            # Fresh process for heavy scenarios and after them; a dead broker is restarted.
            started=1
            if [[ " $SKIP " == *" $b:$s "* ]]; then
                started=0
            elif ! is_ours "${BROKER_PID[$b]}"; then
                start_broker "$b" || started=0
            elif [[ $HEAVY_SCENARIOS == *" $s "* && ${BROKER_FRESH[$b]} != 1 ]] ||
                [[ $HEAVY_SCENARIOS == *" ${BROKER_RUNS[$b]:-} "* ]]; then
                restart_broker "$b" || started=0
            fi
            if [[ " $SKIP " == *" $b:$s "* ]]; then
                status=skipped note="in SKIP"
            elif ((started == 0)); then
                status=broker-start-failed note="$b did not start (see the log above)"
            else
                pid=${BROKER_PID[$b]}
                port=${BROKER_PORT[$b]}
                BROKER_FRESH[$b]=0
                BROKER_RUNS[$b]=$s
                log "[$run_count/$total_runs] rep $rep $s on $b"
                # Generous limit: setup of many connections can take minutes on a slow broker.
                limit=$((DURATION * 3 + 120))
                if [[ $HEAVY_SCENARIOS == *" $s "* ]]; then limit=$((DURATION * 3 + 600)); fi
                # shellcheck disable=SC2086 # $args is a list of options on purpose
                timeout --foreground -k 10 "$limit" dotnet "$BENCH_DLL" --host 127.0.0.1 --port "$port" \
                    --duration "$DURATION" --broker-pid "$pid" $args \
                    >"$WORK/run.out" 2>"$WORK/run.err" || exit_code=$?
                # The tool's reason: its first stderr lines that are not progress ("[  2s] ...");
                # one line after a usage error (the usage text follows it).
                lines=3
                if [[ $exit_code -eq 2 ]]; then lines=1; fi
                reason=$(grep -v -e '^\[' -e '^ *$' "$WORK/run.err" | head -n "$lines" | paste -sd ';' - || true)
                if [[ $exit_code -eq 1 ]]; then
                    status=failed note=$reason
                elif [[ $exit_code -eq 124 || $exit_code -eq 137 ]]; then
                    status=timeout note="no result within ${limit} s"
                elif [[ $exit_code -ne 0 ]]; then
                    status=error note="exit $exit_code: $reason"
                fi
                if ! is_ours "$pid"; then
                    status=broker-died note="$b exited during the run: $(tail -n 1 "$WORK/$b/broker.log" 2>/dev/null || true)"
                    BROKER_RUNS[$b]=
                    wait "$pid" 2>/dev/null || true
                fi
            fi
            python3 "$REPO/bench/compare/record.py" "$RESULTS" --rep "$rep" --scenario "$s" --broker "$b" \
                --metric "$metric" --status "$status" --exit "$exit_code" --note "$note" --args "$args" \
                --stdout "$WORK/run.out"
            rm -f "$WORK/run.out" "$WORK/run.err"
            sleep "$PAUSE"
        done
    done
done

python3 "$REPO/bench/compare/table.py" "$RESULTS"
log "results: $RESULTS"
