#!/usr/bin/env bash
# The demo: the example loan system end to end on the embedded cluster, every agent its own
# process (two instances of credit-check), a supervisor watching them, and a real language model
# on loopback (agentbus model-server) for the explainer.
#
# It publishes a batch of applications: ordinary ones, a malformed one (dead-lettered by intake),
# one above the decision agent's authority (approved by a person through `agentbus approve`), one
# whose fraud check misses the fan-in deadline (assessed partially), and one cancelled with
# `agentbus cancel`. It waits until every workflow has ended and every final decision is explained,
# prints a summary (outcomes, latency percentiles, dead letters, alerts, the explanations and what
# the model calls cost) and the replay trees of an approved and a failed workflow,
# lints the log, lists the agents, and stops every process with SIGTERM. Exits 0 when all of that
# happened as described; KEEP_DEMO_FILES=1 keeps the logs of every process.
set -euo pipefail

agentbus=${1:-.build/debug/agentbus}
bin=$(dirname "$agentbus")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
bootstrap_file="$work/dev-broker"
export AGENTBUS_DEV_BROKER_FILE="$bootstrap_file"
export AGENTBUS_APPROVERS="$root/Examples/approvers.json"
pids=()
started=$SECONDS

cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${KEEP_DEMO_FILES:-}" ]; then echo "demo: files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

fail() {
  echo "demo: $*" >&2
  exit 1
}

# Waits (up to $3 seconds) until file $1 has at least $2 lines matching $4 (default: any line).
wait_for_lines() {
  local file=$1 count=$2 seconds=$3 pattern=${4:-.}
  local deadline=$((SECONDS + seconds))
  local found
  while found=$(grep -c -- "$pattern" "$file" 2>/dev/null); [ "${found:-0}" -lt "$count" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "demo: timed out waiting for $count line(s) matching '$pattern' in $file; its stderr:" >&2
      tail -20 "${file%.*}.err" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
}

agents=(intake document-extraction credit-check fraud-check aggregator risk-scorer decision notifier explainer)

echo "== the embedded Kafka cluster (3 brokers), with every agent's retry, dead-letter, timer and state topics"
agent_flags=()
for agent in "${agents[@]}"; do agent_flags+=(--agent "$agent"); done
"$agentbus" dev-broker --brokers 3 --bootstrap-file "$bootstrap_file" --schemas "$root/schemas" "${agent_flags[@]}" \
  >"$work/broker.out" 2>"$work/broker.err" &
pids+=($!)
wait_for_lines "$work/broker.out" 1 30
echo "   bootstrap: $(head -1 "$work/broker.out")"
echo "   $("$agentbus" schemas list --schemas "$root/schemas" | wc -l) event types in schemas/; a payload that breaks its schema is refused:"
"$agentbus" publish dev.agentbus.loan.application.submitted.v1 --schemas "$root/schemas" \
  --data '{"applicationId": "app-1", "amount": -5}' 2>&1 | head -3 | sed 's/^/     /' || true

echo "== a real language model on loopback (agentbus model-server: SmolLM2-135M, llama.cpp, offline)"
"$agentbus" model-server >"$work/model.out" 2>"$work/model.err" &
pids+=($!)
wait_for_lines "$work/model.out" 1 120
model_url=$(head -1 "$work/model.out")
echo "   $model_url (model smollm2-135m); prices per million tokens: Examples/model-prices.json"
export AGENTBUS_MODEL_PRICES="$root/Examples/model-prices.json"

echo "== every agent as its own process: ${agents[*]} (credit-check twice), and a supervisor"
agent_pids=()
start_agent() {  # name, log name, extra flags...
  local name=$1 log=$2
  shift 2
  "$bin/$name" --heartbeat-interval 1 "$@" >"$work/$log.out" 2>"$work/$log.err" &
  pids+=($!)
  agent_pids+=($!)
}
start_agent intake intake
start_agent document-extraction document-extraction --latency-per-page-ms 50
# credit-check-1 also serves /healthz, /readyz and Prometheus /metrics (on a free port).
start_agent credit-check credit-check-1 --instance-id credit-check-1 --bureau-latency 100 --http-port 0
start_agent credit-check credit-check-2 --instance-id credit-check-2 --bureau-latency 100
credit_check_2=$!
# CUS-700001's screening takes 8 s: past the aggregator's 3 s collection deadline.
start_agent fraud-check fraud-check --latency-ms 80 --slow-applicants CUS-700001,CUS-700002 --slow-latency-ms 8000
start_agent aggregator aggregator --deadline-ms 3000
start_agent risk-scorer risk-scorer
start_agent decision decision --approve-up-to-grade C --approval-timeout-seconds 60
start_agent notifier notifier
start_agent explainer explainer --model-url "$model_url" --model-rpm 600
"$bin/supervisor" --interval 1 --stall-after 30 --terminal-type dev.agentbus.loan.notification.sent.v1 \
  --schemas "$root/schemas" >"$work/supervisor.out" 2>"$work/supervisor.err" &
pids+=($!)
agent_pids+=($!)
for log in intake document-extraction credit-check-1 fraud-check aggregator risk-scorer decision notifier explainer; do
  wait_for_lines "$work/$log.err" 1 60 "partitions assigned"
done
wait_for_lines "$work/credit-check-2.err" 1 60 "partitions assigned"
echo "   all joined their groups ($((SECONDS - started)) s); credit-check's partitions are split between its two instances"

"$agentbus" tail loan.notifications loan.explanations agentbus.alerts --json >"$work/tail.jsonl" 2>"$work/tail.err" &
pids+=($!)
wait_for_lines "$work/tail.err" 1 30 "following"

echo "== publishing the applications (agentbus publish, one workflow each)"
submit() {  # applicant, amount, documents (0 or 1), channel
  local applicant=$1 amount=$2 documents=$3 channel=${4:-web}
  local docs=""
  if [ "$documents" = 1 ]; then
    docs=', "documents": [{"kind": "id", "documentId": "bb17a962-67c7-45ce-874e-ba82c5bb7290"}, {"kind": "payslip", "documentId": "2d82c302-e134-4b9f-b56c-43664dee606d"}]'
  fi
  local data
  data=$(printf '{"applicationId": "app-%s", "applicantId": " %s", "applicant": {"name": "  Test   Applicant %s ", "email": " Applicant.%s@Example.COM ", "dateOfBirth": "1985-02-11"}, "amount": %s, "currency": "eur", "termMonths": 120, "purpose": "home", "submittedAt": "2026-12-01T09:00:00.000Z", "channel": "%s"%s}' \
    "${applicant#CUS-}" "$applicant" "${applicant#CUS-}" "${applicant#CUS-}" "$amount" "$channel" "$docs")
  "$agentbus" publish dev.agentbus.loan.application.submitted.v1 --schemas "$root/schemas" --data "$data" 2>/dev/null \
    | sed -n 's/^correlation-id: //p'
}
: >"$work/workflows.txt"
for applicant in CUS-100001 CUS-100002 CUS-100003 CUS-100004 CUS-100005 CUS-100006 CUS-100007 CUS-100008; do
  echo "$applicant ordinary $(submit "$applicant" 12000 1)" >>"$work/workflows.txt"
done
echo "CUS-200015 large $(submit CUS-200015 160000 1)" >>"$work/workflows.txt"
echo "CUS-700001 slow-fraud $(submit CUS-700001 15000 1)" >>"$work/workflows.txt"
cancelled=$(submit CUS-700002 18000 1)
echo "CUS-700002 cancelled $cancelled" >>"$work/workflows.txt"
"$agentbus" cancel "$cancelled" --reason "the applicant withdrew" | sed 's/^/   /'
# Malformed: a CloudEvent from another client whose payload breaks the schema (no amount).
malformed_id=$(python3 -c 'import uuid; print(uuid.uuid4())')
echo '{"applicationId": "app-999999", "applicantId": "CUS-999999"}' | "$agentbus" kafka produce loan.intake \
  --key "$malformed_id" --header ce_specversion=1.0 --header "ce_id=$malformed_id" --header ce_source=/external/partner \
  --header ce_type=dev.agentbus.loan.application.submitted.v1 --header content-type=application/json >/dev/null 2>&1
echo "CUS-999999 malformed $malformed_id" >>"$work/workflows.txt"
awk '{printf "   %-11s %-11s %s\n", $1, $2, $3}' "$work/workflows.txt"

echo "== a person approves what is above the decision agent's authority (agentbus approvals, approve)"
large=$(awk '$2 == "large" {print $3}' "$work/workflows.txt")
request=""
deadline=$((SECONDS + 60))
while [ -z "$request" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "no approval request for the large application"
  request=$("$agentbus" approvals list --schemas "$root/schemas" 2>/dev/null | awk -v wf="$large" '$2 == wf {print $1}' | head -1)
  [ -n "$request" ] || sleep 0.5
done
"$agentbus" approvals list --schemas "$root/schemas" 2>/dev/null | sed 's/^/   /'
echo "   lena (underwriter, limit 150000) may not approve 160000:"
"$agentbus" approve "$request" --by lena --schemas "$root/schemas" 2>&1 | sed 's/^/     /' || true
"$agentbus" approve "$request" --by priya --note "Income verified." --schemas "$root/schemas" 2>&1 | sed 's/^/   /'

echo "== waiting until every workflow has ended (a notification, a dead letter, or cancelled)"
expected=$(awk '$2 != "malformed" && $2 != "cancelled"' "$work/workflows.txt" | wc -l)
wait_for_lines "$work/tail.jsonl" "$expected" 90 'notification.sent'
wait_for_lines "$work/intake.err" 1 30 "event dead-lettered"
echo "   $expected workflows notified after $((SECONDS - started)) s"
# Every decision told to an applicant is explained (a workflow that could not be assessed has none).
decided=$(grep -c '"outcome":"\(approved\|declined\|referred\)"' "$work/tail.jsonl" || true)
wait_for_lines "$work/tail.jsonl" "$decided" 180 'decision.explained'
echo "   $decided decisions explained by the model after $((SECONDS - started)) s"

echo "== credit-check-1's HTTP endpoint, as a platform's probes and Prometheus see it"
http_port=$(sed -n 's/.*http endpoint listening on [^ ]*:\([0-9]*\) .*/\1/p' "$work/credit-check-1.err" | head -n 1)
echo "   /healthz: $("$agentbus" health --port "$http_port" 2>&1)   /readyz: $("$agentbus" health --ready --port "$http_port" 2>&1)"
python3 - "$http_port" <<'PY'
import sys, urllib.request
text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
samples = {}
for line in text.splitlines():
    if line and not line.startswith("#"):
        name, _, value = line.rpartition(" ")
        samples[name] = float(value)
def total(prefix):
    return sum(value for name, value in samples.items() if name.startswith(prefix))
print("   /metrics: %d series; agentbus_events_handled_total %d, agentbus_events_dead_lettered_total %d, "
      "agentbus_consumer_lag %d, agentbus_handler_duration_seconds_count %d"
      % (len(samples), total("agentbus_events_handled_total"), total("agentbus_events_dead_lettered_total"),
         total("agentbus_consumer_lag{"), total("agentbus_handler_duration_seconds_count")))
PY

echo "== SIGKILL to one credit-check instance: the supervisor reports it dead, the other takes its partitions"
kill -KILL "$credit_check_2"
wait "$credit_check_2" 2>/dev/null || true
wait_for_lines "$work/tail.jsonl" 1 30 '"instance-dead"'
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    event = json.loads(line)["event"]
    if event["type"] == "dev.agentbus.supervisor.alert.v1":
        print("   alert %s (%s): %s" % (event["data"]["kind"], event["data"]["severity"], event["data"]["message"]))
' "$work/tail.jsonl"

echo "== summary"
"$agentbus" replay --save "$work/run.jsonl" 2>/dev/null >/dev/null
python3 - "$work" <<'PY'
import collections, datetime, json, sys
work = sys.argv[1]
def when(text):
    return datetime.datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")
events, activity, letters, alerts = [], [], collections.Counter(), collections.Counter()
with open(work + "/run.jsonl") as log:
    next(log)  # the log's metadata
    for line in log:
        record = json.loads(line)
        headers = {name: value for name, value in record.get("headers", []) if isinstance(value, str)}
        topic = record["topic"]
        if topic == "agentbus.activity":
            activity.append(record["value"])
        elif topic.endswith(".dlt"):
            letters[(headers.get("agentbus_agent", "?"), headers.get("agentbus_failure_class", "?"))] += 1
        elif "ce_type" in headers:
            event = {"type": headers["ce_type"], "time": headers.get("ce_time"), "data": record.get("value"),
                     "correlation": headers.get("ce_correlationid")}
            events.append(event)
            if topic == "agentbus.alerts":
                alerts[event["data"]["kind"]] += 1
roots = {e["correlation"]: when(e["time"]) for e in events if e["type"].endswith("application.submitted.v1") and e["time"]}
outcomes, latencies = collections.Counter(), []
for e in events:
    if e["type"].endswith("notification.sent.v1"):
        outcomes[e["data"]["outcome"]] += 1
        if e["correlation"] in roots:
            latencies.append((when(e["time"]) - roots[e["correlation"]]).total_seconds() * 1000)
cancelled = sum(1 for a in activity if a.get("outcome") == "cancelled")
print("   outcomes told to applicants: " + ", ".join("%s %d" % item for item in sorted(outcomes.items())))
print("   events of the cancelled workflow skipped (activity outcome cancelled): %d" % cancelled)
latencies.sort()
def pct(p): return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))]
if latencies:
    print("   submission to notification: p50 %.0f ms, p90 %.0f ms, max %.0f ms (%d workflows)"
          % (pct(50), pct(90), latencies[-1], len(latencies)))
print("   dead letters: " + (", ".join("%s/%s %d" % (a, c, n) for (a, c), n in sorted(letters.items())) or "none"))
print("   supervisor alerts: " + (", ".join("%s %d" % item for item in sorted(alerts.items())) or "none"))
explained = [e["data"] for e in events if e["type"].endswith("decision.explained.v1")]
sources = collections.Counter(x["source"] for x in explained)
print("   explanations: %d (%s)" % (len(explained), ", ".join("%s %d" % item for item in sorted(sources.items()))))
for x in [x for x in explained if x["source"] == "model"][:1] + [x for x in explained if x["source"] == "fallback"][:1]:
    print("     %s %s [%s]: %s" % (x["applicationId"], x["decision"], x["source"], x["explanation"][:110]))
    if x.get("fallbackReason"): print("       fallback because %s" % x["fallbackReason"][:110])
calls = [c for a in activity for c in a.get("modelCalls", [])]
print("   model calls: %d, %d tokens in, %d out, latency p50 %d ms"
      % (len(calls), sum(c["inputTokens"] for c in calls), sum(c["outputTokens"] for c in calls),
         sorted(c["latencyMs"] for c in calls)[len(calls) // 2] if calls else 0))
if not explained: sys.exit("demo: no decision was explained")
partial = [e for e in events if e["type"].endswith("assessment.completed.v1") and e["data"]["partial"]]
print("   partial assessments (a check missed the fan-in deadline): %d, missing %s"
      % (len(partial), sorted({m for e in partial for m in e["data"]["missing"]})))
if not cancelled: sys.exit("demo: the cancelled workflow skipped nothing")
if not alerts.get("instance-dead"): sys.exit("demo: the supervisor did not report the killed instance")
if not partial: sys.exit("demo: no assessment was partial")
PY

echo "== replay: the approved workflow, rebuilt from the log (agentbus replay <correlation ID>)"
"$agentbus" replay "$large" --from-file "$work/run.jsonl" 2>/dev/null | sed 's/^/   /'
echo "== replay: the malformed application, dead-lettered by intake"
"$agentbus" replay "$malformed_id" --from-file "$work/run.jsonl" 2>/dev/null | sed 's/^/   /'
echo "== replay: the cancelled workflow (⊘: skipped after the cancel)"
"$agentbus" replay "$cancelled" --from-file "$work/run.jsonl" 2>/dev/null | sed 's/^/   /'
echo "== agentbus costs: what the model calls cost, by agent and by model (each call once)"
"$agentbus" costs --by agent 2>/dev/null | sed 's/^/   /'
"$agentbus" costs --by model 2>/dev/null | sed 's/^/   /'
echo "== replay lint: what looks wrong, with cause and fix"
"$agentbus" replay lint --from-file "$work/run.jsonl" 2>/dev/null | sed 's/^/   /' | head -20 || true
echo "== intake's dead letters (agentbus dlt list intake)"
"$agentbus" dlt list intake 2>/dev/null | sed 's/^/   /'
echo "== agentbus tail: the applicants' notifications as they were published"
"$agentbus" tail loan.notifications --from-beginning --limit 3 2>/dev/null | cut -c1-160 | sed 's/^/   /'
echo "== agentbus agents (live instances, from their heartbeats)"
"$agentbus" agents 2>/dev/null | sed 's/^/   /'
echo "== agentbus agents --capabilities"
"$agentbus" agents --capabilities 2>/dev/null | sed 's/^/   /'

echo "== SIGTERM: each agent finishes what it holds, commits and leaves its group"
for pid in "${agent_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for log in intake document-extraction credit-check-1 fraud-check aggregator risk-scorer decision notifier explainer; do
  wait_for_lines "$work/$log.err" 1 30 "agent stopped"
done
echo "   every agent stopped cleanly; the demo took $((SECONDS - started)) s"
