#!/usr/bin/env python3
"""Prints the Markdown tables of a bench/compare.sh results file.

usage: table.py RESULTS.jsonl

Table 1: per scenario, each broker's main metric as median [min-max] over the repetitions and
Manta's ratio to each peer (Manta / peer). Table 2: per scenario and broker, the medians of the
broker's and the load tool's CPU, loss, duplicates, reordering and the broker's peak RSS.
Runs that did not produce the metric (setup refused, timeout, broker died, skipped) show as n/a,
with the reason listed under the tables.
"""
import json
import statistics
import sys

def fmt_rate(v):
    for div, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:.3g}{suffix}"
    return f"{v:.3g}"


def fmt_us(v):
    if v >= 1000:
        return f"{v / 1000:.3g} ms"
    return f"{v:.3g} µs"


def fmt_bytes(v):
    if abs(v) >= 1024 * 1024:
        return f"{v / 1048576:.3g} MiB"
    if abs(v) >= 1024:
        return f"{v / 1024:.3g} KiB"
    return f"{v:.0f} B"


# metric -> (label with ↑ when higher is better or ↓ when lower is, higher is better, formatter)
METRICS = {
    "delivery_rate": ("deliveries/s ↑", True, fmt_rate),
    "connect_rate": ("connects/s ↑", True, fmt_rate),
    "latency_p99_us": ("p99 latency ↓", False, fmt_us),
    "broker_rss_per_connection_bytes": ("broker RSS per connection ↓", False, fmt_bytes),
}


def field(result, name):
    """A field of manta-bench's JSON in either spelling (delivery_rate or DeliveryRate)."""
    if not isinstance(result, dict):
        return None
    wanted = name.replace("_", "").lower()
    for key, value in result.items():
        if key.replace("_", "").lower() == wanted:
            return value
    return None


def median(values):
    values = [v for v in values if isinstance(v, (int, float))]
    return statistics.median(values) if values else None


def cell(values, fmt):
    if not values:
        return None
    med = statistics.median(values)
    if len(values) == 1:
        return fmt(med)
    return f"{fmt(med)} [{fmt(min(values))}-{fmt(max(values))}]"


def short(text, limit=48):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: table.py RESULTS.jsonl")
    meta, runs = {}, []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            record = json.loads(line)
            if record.get("type") == "meta":
                meta = record
            elif record.get("type") == "run":
                runs.append(record)

    brokers = list(dict.fromkeys(meta.get("brokers", "").split() or [r["broker"] for r in runs]))
    scenarios = list(dict.fromkeys(meta.get("scenarios", "").split() or [r["scenario"] for r in runs]))
    peers = [b for b in brokers if b != "manta"]

    by = {}
    for r in runs:
        by.setdefault((r["scenario"], r["broker"]), []).append(r)

    out = []
    out.append(f"## Manta vs peers: {meta.get('started', '?')}")
    out.append("")
    out.append(f"{meta.get('duration', '?')} s per run, {meta.get('reps', '?')} repetitions, interleaved; "
               f"{meta.get('machine', '')}. Cells: median [min-max] over the runs that measured it.")
    for b, v in meta.get("versions", {}).items():
        out.append(f"- {b}: {v}")
    out.append("")

    # Table 1: the main metric.
    head = ["scenario", "metric"] + brokers
    if "manta" in brokers:
        head += [f"manta/{p}" for p in peers]
    out.append("| " + " | ".join(head) + " |")
    out.append("| " + " | ".join(["---", "---"] + ["---:"] * (len(head) - 2)) + " |")
    notes = []
    for s in scenarios:
        metric = next((r["metric"] for b in brokers for r in by.get((s, b), [])), None)
        label, _, fmt = METRICS.get(metric, (metric or "?", True, lambda v: f"{v:.4g}"))
        row = [s, label]
        medians = {}
        for b in brokers:
            rs = by.get((s, b), [])
            values = [v for r in rs if r["status"] == "ok"
                      for v in [field(r["result"], metric)] if isinstance(v, (int, float))]
            text = cell(values, fmt)
            if text is None:
                reasons = sorted({r["status"] for r in rs}) or ["not run"]
                text = "n/a (" + ", ".join(reasons) + ")"
            elif len(values) < len(rs):
                text += f" ({len(values)}/{len(rs)} runs)"
            if values:
                medians[b] = statistics.median(values)
            row.append(text)
            failed = [r for r in rs if r["status"] != "ok"]
            if failed:
                kinds = sorted({(r["status"], short(r.get("note", ""), 200)) for r in failed})
                for status, note in kinds:
                    count = sum(1 for r in failed if r["status"] == status)
                    notes.append(f"- {s} on {b}: {status} ×{count}" + (f": {note}" if note else ""))
        if "manta" in brokers:
            for p in peers:
                m, v = medians.get("manta"), medians.get(p)
                row.append(f"{m / v:.2f}x" if m is not None and v else "n/a")
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    out.append("Ratio = Manta's median ÷ the peer's median: above 1 is better for Manta where ↑, "
               "below 1 is better where ↓.")
    out.append("")

    # Table 2: costs and correctness.
    out.append("| scenario | broker | runs ok | broker CPU % | tool CPU % | lost % | duplicated | out of order "
               "| connected at end | connect errors | broker peak RSS |")
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s in scenarios:
        for b in brokers:
            rs = by.get((s, b), [])
            ok = [r["result"] for r in rs if r["status"] == "ok" and isinstance(r["result"], dict)]

            def med(name, fmt=lambda v: f"{v:.0f}"):
                v = median([field(x, name) for x in ok])
                return fmt(v) if v is not None else "–"

            lost_pct = median([field(x, "lost") / field(x, "expected") * 100 for x in ok
                               if isinstance(field(x, "lost"), (int, float)) and field(x, "expected")])
            held = median([field(x, "connected_at_end") for x in ok])
            wanted = median([field(x, "connections") for x in ok])
            out.append("| " + " | ".join([
                s, b, f"{len(ok)}/{len(rs)}",
                med("broker_cpu_percent"), med("tool_cpu_percent"),
                f"{lost_pct:.2f}" if lost_pct is not None else "–",
                med("duplicated"), med("out_of_order"),
                f"{held:.0f}/{wanted:.0f}" if held is not None and wanted else "–",
                med("connect_errors"),
                med("broker_peak_rss_kib", lambda v: fmt_bytes(v * 1024)),
            ]) + " |")
    if notes:
        out.append("")
        out.append("Runs without a result:")
        out.extend(notes)
    print("\n".join(out))


if __name__ == "__main__":
    main()
