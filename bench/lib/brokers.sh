# shellcheck shell=bash
# bench/lib/brokers.sh: what bench/compare.sh and bench/durable.sh share. Sourced, not run:
# logging, the temp dir and its cleanup, Debian packages, builds, ports, starting and stopping
# brokers, one manta-bench run and the results file's meta line.
#
# The script sets before sourcing: BENCH_NAME (log prefix, temp dir name) and REPO (the
# checkout); before calling these functions: BROKERS, DURATION, REPS, RESULTS. It defines
#   launch_broker NAME PORT DIR   start one broker in the background (so $! is its PID) on
#                                 127.0.0.1:PORT, data under DIR/data, output to DIR/broker.log
#   broker_version NAME           one line for the meta line's "versions"
# Set here: WORK (start_work), BENCH_DLL (build_bench), MANTA_DLL (build_manta), and
# BROKER_PID / BROKER_PORT by broker name (start_broker).
#
# Safety: a process is signalled only by a PID recorded in BROKER_PID, and only while it is
# alive and a child of this shell (is_ours), so a reused PID is never touched.

log() { printf '[%s %s] %s\n' "$BENCH_NAME" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

has_broker() { [[ " $BROKERS " == *" $1 "* ]]; }

check_run_settings() { # what every bench script needs, checked before anything is built or started
    [[ $DURATION =~ ^[1-9][0-9]*$ && $REPS =~ ^[1-9][0-9]*$ ]] || die "DURATION and REPS must be positive integers"
    command -v python3 >/dev/null || die "python3 is needed (port picking, results, table)"
    command -v dotnet >/dev/null || die "dotnet is needed"
}

# ---------------------------------------------------------------------------------------------
# Processes and cleanup: only the PIDs recorded in BROKER_PID, only while they are our children.
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

start_work() { # the temp dir WORK; our brokers are stopped and WORK removed on exit, Ctrl-C or TERM
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/manta-$BENCH_NAME.XXXXXX")
    trap cleanup EXIT
    trap 'log "interrupted"; exit 130' INT
    trap 'log "terminated"; exit 143' TERM
}

# ---------------------------------------------------------------------------------------------
# Packages and builds.
# Debian's packages put the binaries in /usr/sbin, which a non-root PATH may lack; added before
# looking for them, so an installed broker is not installed again.
PATH=$PATH:/usr/sbin:/sbin

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

install_missing() { # command...: installs the Debian package of that name for each command not found
    local c missing=()
    for c in "$@"; do command -v "$c" >/dev/null || missing+=("$c"); done
    if ((${#missing[@]} == 0)); then return 0; fi
    log "installing ${missing[*]}"
    {
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" ||
            { as_root apt-get update && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; }
    } >&2
}

build() { # project: Release build with its own artifacts dir, so nothing in the checkout's obj/ is shared
    log "building $1"
    dotnet build "$REPO/$1" -c Release --artifacts-path "$WORK/build" -nologo -v q -clp:ErrorsOnly >"$WORK/build-$(basename "$1").log" 2>&1 ||
        { cat "$WORK/build-$(basename "$1").log" >&2; die "build of $1 failed"; }
}
build_bench() { build bench/Manta.Bench && BENCH_DLL=$WORK/build/bin/Manta.Bench/release/manta-bench.dll; }
build_manta() { build src/Manta.Server && MANTA_DLL=$WORK/build/bin/Manta.Server/release/manta.dll; }

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

start_broker() { # broker: launch_broker on a fresh port, keeping WORK/<broker>; sets BROKER_PID/PORT
    local b=$1 port dir pid i
    port=$(free_port)
    if [[ -z $port ]]; then log "no free port for $b"; return 1; fi
    dir=$WORK/$b
    mkdir -p "$dir/data"
    launch_broker "$b" "$port" "$dir"
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

launch_manta() { # port dir [option...]: Manta in the background, MQTT on 127.0.0.1:port only, no HTTP
    dotnet "$MANTA_DLL" \
        --Manta:Listeners:0:Name=mqtt --Manta:Listeners:0:Transport=tcp \
        --Manta:Listeners:0:Address=127.0.0.1 --Manta:Listeners:0:Port="$1" \
        --Manta:Http:Enabled=false --Manta:DataDirectory="$2/data" "${@:3}" \
        >>"$2/broker.log" 2>&1 &
}

manta_version() { echo "Manta $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo '+dirty')"; }
mosquitto_version() { mosquitto -h 2>/dev/null | head -n 1 || true; }

# ---------------------------------------------------------------------------------------------
# Runs and results.
json_str() { python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }

write_meta() { # members: appends the meta line to RESULTS; members (',"name":json...') follow "brokers"
    local b sep=
    {
        printf '{"type":"meta","started":%s,"duration":%s,"reps":%s,"brokers":%s%s' \
            "$(json_str "$(date -Is)")" "$DURATION" "$REPS" "$(json_str "$BROKERS")" "$1"
        printf ',"versions":{'
        for b in $BROKERS; do printf '%s"%s":%s' "$sep" "$b" "$(json_str "$(broker_version "$b")")"; sep=,; done
        printf '},"machine":%s}\n' "$(json_str "$(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), $(uname -r), dotnet $(dotnet --version)")"
    } >>"$RESULTS"
}

# shellcheck disable=SC2034 # exit_code, status and note are read by the caller
run_bench() { # broker limit args: one manta-bench run, output in WORK/run.out and run.err;
    # sets exit_code, status (ok, failed, timeout, error or broker-died) and note
    local b=$1 limit=$2 pid=${BROKER_PID[$1]} lines=3 reason
    exit_code=0 status=ok note=
    # shellcheck disable=SC2086 # $3 is a list of options on purpose
    timeout --foreground -k 10 "$limit" dotnet "$BENCH_DLL" --host 127.0.0.1 --port "${BROKER_PORT[$b]}" \
        --duration "$DURATION" --broker-pid "$pid" $3 \
        >"$WORK/run.out" 2>"$WORK/run.err" || exit_code=$?
    # The tool's reason: its first stderr lines that are not progress ("[  2s] ..."); one line
    # after a usage error (the usage text follows it).
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
        wait "$pid" 2>/dev/null || true
    fi
}
