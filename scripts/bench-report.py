#!/usr/bin/env python3
"""`make bench`'s one table: every benchmark's figures next to their baselines, and the machine.

    bench-report.py start DIR                 empty DIR and note the time and load average
    bench-report.py report DIR --mode MODE    read DIR/results.jsonl (each benchmark's --results),
                                              print the table and the machine line, and write
                                              Benchmarks/results/latest.json (MODE full) or
                                              latest-quick.json (MODE quick)
    bench-report.py markdown FILE             print FILE (a latest*.json) as README's Markdown
                                              table and machine line

Each line of results.jsonl is one figure: {"group", "figure", "value", "unit", "better",
"baseline": {"name", "value"} or null, "ratio": value / baseline or null, "detail"}.
Standard library only.
"""

import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The table's groups in order, and what each compares with. A group without figures in the
# results keeps a row saying so, so the table shows what is missing rather than leaving it out.
GROUPS = [
    ("kafka", "Kafka layer against raw librdkafka calls (kafka-bench)"),
    ("events", "typed events against Foundation's JSON (event-bench; no Kafka involved)"),
    ("hop", "one agent hop against a raw librdkafka relay (agent-bench)"),
    ("memory", "agent process memory against the raw relay's (agent-bench)"),
    ("journal", "effect journal against the raw relay (agent-bench --only journal)"),
    ("model", "model-backed hop against its latency bound (agent-bench --only model)"),
    ("replay", "saved-log replay against reading the file raw (replay-bench)"),
    ("e2e", "the example system end to end against a chain of raw relays (agent-bench --only e2e)"),
]


def fail(message):
    print(f"bench-report: {message}", file=sys.stderr)
    sys.exit(1)


def read_text(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return None


def run(command):
    try:
        output = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return output.stdout.strip() if output.returncode == 0 else None


def load_average():
    text = read_text("/proc/loadavg")
    if text:
        return " ".join(text.split()[:3])
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return None


def machine(started):
    cpuinfo = read_text("/proc/cpuinfo") or ""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
        platform.processor() or platform.machine(),
    )
    memory = None
    for line in (read_text("/proc/meminfo") or "").splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    swift = run(["swift", "--version"])
    commit = run(["git", "rev-parse", "--short=12", "HEAD"])
    dirty = run(["git", "status", "--porcelain", "--untracked-files=no"])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "kernel": f"{platform.system()} {platform.release()}",
        "librdkafka": run(["pkg-config", "--modversion", "rdkafka"]),
        "swift": swift.splitlines()[0] if swift else None,
        "commit": (commit + ("+changes" if dirty else "")) if commit else None,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average_start": started.get("load_average"),
        "load_average_end": load_average(),
        "wall_seconds": round(time.time() - started["time"]) if "time" in started else None,
    }


def number(value, unit):
    """`824k`, `1.37M`, `1.15`, `0.390`: three significant figures, thousands and millions shortened."""
    if value is None:
        return "-"
    if unit.endswith("/s") and abs(value) >= 10_000:
        if abs(value) >= 1_000_000:
            return f"{value / 1e6:.3g}M"
        return f"{value / 1e3:.3g}k"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:#.3g}".rstrip(".")


def with_unit(value, unit):
    return "-" if value is None else f"{number(value, unit)} {unit}"


def ratio_text(ratio):
    """value / baseline: a percentage up to 2, beyond it a multiple."""
    if ratio is None:
        return ""
    if ratio >= 2:
        return f"{ratio:.1f}×"
    if ratio < 0.01:
        return f"{ratio * 100:.2f}%"
    if ratio < 0.1:
        return f"{ratio * 100:.1f}%"
    return f"{ratio * 100:.0f}%"


def table(results):
    rows = [("group", "figure", "AgentBus", "baseline", "baseline value", "AgentBus / baseline")]
    known = {name for name, _ in GROUPS}
    groups = GROUPS + [(name, "") for name in dict.fromkeys(r["group"] for r in results) if name not in known]
    for group, _ in groups:
        entries = [r for r in results if r["group"] == group]
        for entry in entries:
            baseline = entry.get("baseline")
            ratio = entry.get("ratio")
            better = entry.get("better")
            rows.append((
                group,
                entry["figure"],
                with_unit(entry["value"], entry["unit"]),
                baseline["name"] if baseline else "",
                with_unit(baseline["value"], entry["unit"]) if baseline else "",
                ratio_text(ratio) + (f" ({better} is better)" if ratio is not None else ""),
            ))
        if not entries:
            rows.append((group, "(no figures in this run)", "not measured", "", "", ""))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    previous = None
    for index, row in enumerate(rows):
        shown = list(row)
        if index > 0 and row[0] == previous:
            shown[0] = ""
        previous = row[0]
        aligned = [
            cell.rjust(widths[column]) if column in (2, 4) and index > 0 else cell.ljust(widths[column])
            for column, cell in enumerate(shown)
        ]
        lines.append("  ".join(aligned).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def machine_line(m):
    parts = [
        m["cpu"],
        f"{m['cores']} cores",
        m["memory"],
        m["kernel"],
        f"librdkafka {m['librdkafka']}" if m["librdkafka"] else None,
        m["swift"],
        f"commit {m['commit']}" if m["commit"] else None,
        m["date"],
        f"load {m['load_average_start']} at start, {m['load_average_end']} at end",
    ]
    return "machine: " + "; ".join(part for part in parts if part)


def start(directory):
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    with open(os.path.join(directory, "start.json"), "w", encoding="utf-8") as handle:
        json.dump({"time": time.time(), "load_average": load_average()}, handle)


def report(directory, mode):
    path = os.path.join(directory, "results.jsonl")
    text = read_text(path)
    if text is None:
        fail(f"{path}: no results (run the benchmarks with --results {path})")
    results = []
    for number_, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as error:
            fail(f"{path}:{number_}: not JSON: {error}")
        missing = {"group", "figure", "value", "unit"} - entry.keys()
        if missing:
            fail(f"{path}:{number_}: lacks {', '.join(sorted(missing))}")
        results.append(entry)
    started = json.loads(read_text(os.path.join(directory, "start.json")) or "{}")
    m = machine(started)
    print()
    print(f"AgentBus benchmarks ({mode} run)")
    print()
    print(table(results))
    print()
    print(machine_line(m))
    if m["wall_seconds"] is not None:
        print(f"wall time of the benchmarks: {m['wall_seconds']} s")
    output = os.path.join(ROOT, "Benchmarks", "results", "latest.json" if mode == "full" else "latest-quick.json")
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, "w", encoding="utf-8") as handle:
        json.dump({"machine": m, "mode": mode, "results": results}, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    print(f"written to {os.path.relpath(output, ROOT)}")


def markdown(path):
    text = read_text(path)
    if text is None:
        fail(f"{path}: cannot read it")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        fail(f"{path}: not JSON: {error}")
    print("| group | figure | AgentBus | baseline (same run) | AgentBus / baseline |")
    print("|---|---|---|---|---|")
    previous = None
    for entry in document["results"]:
        baseline = entry.get("baseline")
        ratio = entry.get("ratio")
        shown_baseline = f"{baseline['name']}: {with_unit(baseline['value'], entry['unit'])}" if baseline else ""
        shown_ratio = f"{ratio_text(ratio)} ({entry.get('better')} is better)" if ratio is not None else ""
        group = entry["group"] if entry["group"] != previous else ""
        previous = entry["group"]
        print(f"| {group} | {entry['figure']} | {with_unit(entry['value'], entry['unit'])} | {shown_baseline} | {shown_ratio} |")
    print()
    print(machine_line(document["machine"]).replace("machine: ", "Machine: ", 1) + ".")


def main(arguments):
    if len(arguments) == 2 and arguments[0] == "start":
        start(arguments[1])
    elif len(arguments) == 4 and arguments[0] == "report" and arguments[2] == "--mode" and arguments[3] in ("full", "quick"):
        report(arguments[1], arguments[3])
    elif len(arguments) == 2 and arguments[0] == "markdown":
        markdown(arguments[1])
    else:
        fail("usage: bench-report.py start DIR | bench-report.py report DIR --mode full|quick | bench-report.py markdown FILE")


if __name__ == "__main__":
    main(sys.argv[1:])
