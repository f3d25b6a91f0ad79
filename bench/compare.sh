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
# What it shares with bench/durable.sh (cleanup, builds, ports, starting brokers, one
# manta-bench run) is in bench/lib/brokers.sh; bench/compare/record.py writes each run.
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

BENCH_NAME=compare
# shellcheck source-path=SCRIPTDIR source=lib/brokers.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/brokers.sh"

for s in $SCENARIOS; do [[ -n ${SCENARIO[$s]:-} ]] || die "unknown scenario '$s' (known: $ALL_SCENARIOS)"; done
for b in $BROKERS; do [[ $b =~ ^(manta|mosquitto|mqttnet|nats)$ ]] || die "unknown broker '$b'"; done
check_run_settings

# ---------------------------------------------------------------------------------------------
# Temp dir, packages and builds.
start_work
# Per broker: 1 while the process has not run a scenario yet; the scenario it ran last.
declare -A BROKER_FRESH=() BROKER_RUNS=()

packages=()
if has_broker mosquitto; then packages+=(mosquitto); fi
if has_broker nats; then packages+=(nats-server); fi
install_missing "${packages[@]}"

build_bench
if has_broker manta; then build_manta; fi
if has_broker mqttnet; then build bench/Manta.MqttNetServer; fi
MQTTNET_DLL=$WORK/build/bin/Manta.MqttNetServer/release/mqttnet-server.dll

# As many file descriptors as we may have: idle-19k needs more than 19,000 on each side.
if [[ $(id -u) -eq 0 ]]; then ulimit -Hn "$(cat /proc/sys/fs/nr_open)" 2>/dev/null || true; fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
log "open files limit: $(ulimit -n)"

# ---------------------------------------------------------------------------------------------
# Brokers.
launch_broker() { # broker port dir: in memory, anonymous, defaults (see bench/lib/brokers.sh)
    local b=$1 port=$2 dir=$3
    case $b in
        manta)
            launch_manta "$port" "$dir" --Manta:Storage:Mode="$MANTA_STORAGE"
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
}

start_fresh() { # broker: start it with an empty data dir, so no earlier run's state is in it
    rm -rf "${WORK:?}/$1"
    start_broker "$1" || return 1
    BROKER_FRESH[$1]=1
}

restart_broker() {
    log "restarting $1"
    stop_pid "${BROKER_PID[$1]}"
    start_fresh "$1"
}

broker_version() {
    case $1 in
        manta) manta_version ;;
        mosquitto) mosquitto_version ;;
        mqttnet) echo "MQTTnet.Server 5.2.0.1603" ;;
        nats) echo "nats-server $(nats-server --version 2>/dev/null | sed 's/^nats-server: *//')" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Runs.
mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"
for b in $BROKERS; do start_fresh "$b" || die "could not start $b"; done
write_meta ",\"scenarios\":$(json_str "$SCENARIOS")"

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
                start_fresh "$b" || started=0
            elif [[ $HEAVY_SCENARIOS == *" $s "* && ${BROKER_FRESH[$b]} != 1 ]] ||
                [[ $HEAVY_SCENARIOS == *" ${BROKER_RUNS[$b]:-} "* ]]; then
                restart_broker "$b" || started=0
            fi
            if [[ " $SKIP " == *" $b:$s "* ]]; then
                status=skipped note="in SKIP"
            elif ((started == 0)); then
                status=broker-start-failed note="$b did not start (see the log above)"
            else
                BROKER_FRESH[$b]=0
                BROKER_RUNS[$b]=$s
                log "[$run_count/$total_runs] rep $rep $s on $b"
                # Generous limit: setup of many connections can take minutes on a slow broker.
                limit=$((DURATION * 3 + 120))
                if [[ $HEAVY_SCENARIOS == *" $s "* ]]; then limit=$((DURATION * 3 + 600)); fi
                run_bench "$b" "$limit" "$args"
                if [[ $status == broker-died ]]; then BROKER_RUNS[$b]=; fi
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
