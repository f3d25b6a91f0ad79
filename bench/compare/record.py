#!/usr/bin/env python3
"""Appends one run of bench/compare.sh or bench/durable.sh to the results file (one JSON object
per line).

usage: record.py RESULTS --rep N --broker B --status ST --exit RC --note TEXT --stdout FILE
                 [--scenario S] [--metric M] [--args ARGS] [--show FIELD]...

The first line of FILE that parses as a JSON object is manta-bench's result; a run that exited 0
without one is recorded as status "error". A message run (--metric a message metric, or no
--metric: durable.sh runs fan-in only) in which the broker closed clients is recorded as
"disconnected". --scenario, --metric and --args go into the record only when given.
Prints "<field> = <value>" for each --show field (default: the metric), or the status, to stderr.
"""
import argparse
import json
import sys

# Metrics measured on messages: they need every client connected to the end.
MESSAGE_METRICS = {"delivery_rate", "latency_p99_us"}


def metric_value(result, metric):
    """The metric in either spelling of the tool's fields: snake_case or PascalCase."""
    wanted = metric.replace("_", "").lower()
    for key, value in result.items():
        if key.replace("_", "").lower() == wanted:
            return value
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("results")
    for name in ("rep", "exit"):
        p.add_argument("--" + name, type=int, required=True)
    for name in ("broker", "status", "note", "stdout"):
        p.add_argument("--" + name, required=True)
    for name in ("scenario", "metric", "args"):
        p.add_argument("--" + name)
    p.add_argument("--show", action="append", help="a result field to print; repeatable")
    a = p.parse_args()
    show = a.show or ([a.metric] if a.metric else [])

    result = None
    try:
        with open(a.stdout, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        result = json.loads(line)
                        break
                    except json.JSONDecodeError:
                        pass
    except FileNotFoundError:
        pass

    status, note = a.status, a.note
    if status == "ok" and not isinstance(result, dict):
        status, note = "error", "no JSON result on stdout"
    elif status == "ok" and (a.metric is None or a.metric in MESSAGE_METRICS):
        # A message rate means nothing once the broker has closed some of the clients (NATS
        # closes a publisher that sends QoS 2 after granting QoS 1 in SUBACK, for example).
        held, wanted = metric_value(result, "connected_at_end"), metric_value(result, "connections")
        if isinstance(held, int) and isinstance(wanted, int) and held < wanted:
            status = "disconnected"
            note = f"the broker closed {wanted - held} of {wanted} connections during the run"

    record = {
        "type": "run", "rep": a.rep, "scenario": a.scenario, "broker": a.broker,
        "metric": a.metric, "status": status, "exit": a.exit, "note": note,
        "args": a.args, "result": result,
    }
    # Options not given leave their field out (durable.sh's records carry no scenario, metric, args).
    record = {k: v for k, v in record.items() if v is not None or k == "result"}
    with open(a.results, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, separators=(",", ":")) + "\n")

    if status == "ok":
        print("  " + (", ".join(f"{name} = {metric_value(result, name)}" for name in show) or "ok"), file=sys.stderr)
    else:
        print(f"  {status}: {note}", file=sys.stderr)


if __name__ == "__main__":
    main()
