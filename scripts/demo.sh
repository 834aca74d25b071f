#!/usr/bin/env bash
# The demo: starts the embedded cluster in its own process, two consumer processes in one group,
# sends a few events, and prints what each consumer received; then publishes typed loan events
# (validated against schemas/) and watches them with `agentbus tail`; then runs two of the example
# agents (credit-check → risk-scorer) as their own processes, standing in for the assessment
# collector between them, dead-letters a poison record, and stops the agents gracefully. Last, it replays the first workflow from the event log: the causal
# tree, the timeline, the list of workflows from a saved log, and lint's findings.
set -euo pipefail

agentbus=${1:-.build/debug/agentbus}
bin=$(dirname "$agentbus")
work=$(mktemp -d)
bootstrap_file="$work/dev-broker"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_DEMO_FILES:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# Waits (up to $3 seconds) until file $1 has at least $2 lines matching $4 (default: any line).
wait_for_lines() {
  local file=$1 count=$2 seconds=$3 pattern=${4:-.}
  local deadline=$((SECONDS + seconds))
  local found
  while found=$(grep -c -- "$pattern" "$file" 2>/dev/null); [ "${found:-0}" -lt "$count" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "demo: timed out waiting for $file; its stderr:" >&2
      cat "${file%.out}.err" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
}

echo "== starting the embedded Kafka cluster (3 brokers, topic loan.events with 4 partitions)"
"$agentbus" dev-broker --brokers 3 --topics loan.events:4 --bootstrap-file "$bootstrap_file" \
  --agent credit-check --agent risk-scorer \
  >"$work/broker.out" 2>"$work/broker.err" &
pids+=($!)
wait_for_lines "$work/broker.out" 1 30
echo "   bootstrap: $(head -1 "$work/broker.out")"

echo "== starting two worker processes in consumer group 'loan-workers'"
for worker in a b; do
  "$agentbus" kafka consume loan.events --group loan-workers --bootstrap-file "$bootstrap_file" \
    >"$work/worker-$worker.out" 2>"$work/worker-$worker.err" &
  pids+=($!)
  # The first member joins in about 3 s; the second after the 6 s session timeout less 1 s.
  wait_for_lines "$work/worker-$worker.err" 1 30 "^# assigned"
  echo "   worker $worker joined"
done
wait_for_lines "$work/worker-a.err" 2 30 "^# assigned"
echo "   partitions: worker a: $(grep '^# assigned' "$work/worker-a.err" | tail -1 | cut -c12-);" \
  "worker b: $(grep '^# assigned' "$work/worker-b.err" | tail -1 | cut -c12-)"

echo "== sending 8 events, keyed by application"
"$agentbus" kafka produce loan.events --key-separator : --bootstrap-file "$bootstrap_file" 2>/dev/null <<'EVENTS'
app-1001:application received
app-1002:application received
app-1001:documents extracted
app-1003:application received
app-1002:credit checked
app-1001:decision made
app-1003:fraud checked
app-1002:decision made
EVENTS

total() { cat "$work/worker-a.out" "$work/worker-b.out" | wc -l; }
deadline=$((SECONDS + 30))
until [ "$(total)" -ge 8 ] || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.2; done

for worker in a b; do
  echo "== worker $worker received (topic/partition@offset key value)"
  sed 's/^/   /' "$work/worker-$worker.out"
done
echo "== $(total) of 8 events received, each by exactly one worker; same key, same worker, in order"
[ "$(total)" -eq 8 ]

echo "== typed events: the loan workflow's schemas ($("$agentbus" schemas list | wc -l) event types in schemas/)"
"$agentbus" tail loan.applications loan.checks --limit 2 --bootstrap-file "$bootstrap_file" \
  >"$work/tail.out" 2>"$work/tail.err" &
pids+=($!)
wait_for_lines "$work/tail.err" 1 30 "following"
cat >"$work/application.json" <<'JSON'
{"applicationId": "APP-001001", "applicantId": "CUS-300017",
 "applicant": {"name": "Amara Okafor", "email": "amara@example.com", "dateOfBirth": "1988-04-12"},
 "requested": {"amount": 250000, "currency": "EUR"}, "termMonths": 300, "purpose": "home",
 "submittedAt": "2026-11-21T09:15:30.000Z", "channel": "web", "requiredChecks": ["credit"]}
JSON
echo "   agentbus publish dev.agentbus.loan.application.received.v1 --file application.json"
"$agentbus" publish dev.agentbus.loan.application.received.v1 --file "$work/application.json" \
  --bootstrap-file "$bootstrap_file" 2>/dev/null | tee "$work/published.out" | sed 's/^/   /'
correlation=$(sed -n 's/^correlation-id: //p' "$work/published.out")
echo "   a payload that breaks the schema is refused, and nothing is published:"
"$agentbus" publish dev.agentbus.loan.fraud.checked.v1 --correlation-id "$correlation" \
  --data '{"applicationId": "APP-1001", "riskLevel": "extreme"}' --bootstrap-file "$bootstrap_file" 2>&1 \
  | sed 's/^/     /' || true
echo "   the same workflow's fraud check, valid this time:"
"$agentbus" publish dev.agentbus.loan.fraud.checked.v1 --correlation-id "$correlation" --bootstrap-file "$bootstrap_file" \
  --data '{"applicationId": "APP-001001", "applicantId": "CUS-300017", "riskLevel": "low", "signals": [], "identityVerified": true, "checkedAt": "2026-11-21T09:16:02.000Z"}' \
  2>/dev/null | sed 's/^/   /'
wait_for_lines "$work/tail.out" 2 30
echo "== agentbus tail saw (time topic/partition@offset type id correlation causation key hops payload)"
sed 's/^/   /' "$work/tail.out"

echo "== agents: credit-check (application → credit check) and risk-scorer (assessment → risk score)"
for agent in credit-check risk-scorer; do
  "$bin/$agent" --bootstrap-file "$bootstrap_file" --heartbeat-interval 1 >"$work/$agent.out" 2>"$work/$agent.err" &
  pids+=($!)
done
for agent in credit-check risk-scorer; do
  wait_for_lines "$work/$agent.err" 1 30 "partitions assigned"
  echo "   $agent joined its group: $(grep -c 'loan\.' <<<"$(grep 'partitions assigned' "$work/$agent.err" | tail -1 | tr ',' '\n')") event partitions"
done
"$agentbus" tail loan.risk --from-beginning --limit 3 --bootstrap-file "$bootstrap_file" \
  >"$work/risk.out" 2>"$work/risk.err" &
pids+=($!)
for applicant in CUS-400001 CUS-400002; do
  sed "s/CUS-300017/$applicant/; s/APP-001001/APP-${applicant#CUS-}/" "$work/application.json" >"$work/$applicant.json"
  "$agentbus" publish dev.agentbus.loan.application.received.v1 --file "$work/$applicant.json" \
    --bootstrap-file "$bootstrap_file" 2>/dev/null | sed -n 's/^correlation-id: /   published a new workflow: /p'
done
# The assessment collector between the checks and the risk scorer is not part of this demo: the
# demo collects instead, turning each credit check into its workflow's assessment.
timeout 60 "$agentbus" tail loan.checks --from-beginning --json --limit 4 --bootstrap-file "$bootstrap_file" \
  2>/dev/null >"$work/checks.jsonl"
echo "   standing in for the assessment collector: one assessment.completed per credit check"
python3 - "$work" <<'PY' >"$work/assessments.txt"
import datetime, json, sys
work = sys.argv[1]
for line in open(work + "/checks.jsonl"):
    event = json.loads(line)["event"]
    if event["type"] != "dev.agentbus.loan.credit.checked.v1":
        continue
    check = event["data"]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    assessment = {
        "applicationId": check["applicationId"], "applicantId": check["applicantId"],
        "requested": {"amount": 250000, "currency": "EUR"},
        "credit": {key: check[key] for key in ("bureau", "score", "openAccounts", "delinquencies", "outstandingDebt")},
        "partial": False, "missing": [], "completedAt": now}
    path = "%s/assessment-%s.json" % (work, check["applicationId"])
    json.dump(assessment, open(path, "w"))
    print(event["correlationid"], path)
PY
while read -r workflow file; do
  "$agentbus" publish dev.agentbus.loan.assessment.completed.v1 --file "$file" --correlation-id "$workflow" \
    --bootstrap-file "$bootstrap_file" 2>/dev/null | sed -n "s/^event-id: /   $(basename "$file" .json): /p"
done <"$work/assessments.txt"
wait_for_lines "$work/risk.out" 3 30
echo "   the first application (published before the agents started) and both new ones were scored:"
sed 's/^/   /' "$work/risk.out" | cut -c1-190
echo "== the first workflow, hop by hop (tail --json: hops, type, causation)"
"$agentbus" tail loan.applications loan.checks loan.assessments loan.risk --from-beginning --json --limit 13 \
  --bootstrap-file "$bootstrap_file" 2>/dev/null | grep "$correlation" | python3 -c '
import json, sys
events = [json.loads(line)["event"] for line in sys.stdin]
for event in sorted(events, key=lambda e: e["hops"]):
    print("   hop %d  %-42s from %-20s id %s  caused by %s" % (event["hops"], event["type"], event["source"],
          event["id"][:8], event.get("causationid", "-")[:8]))'

echo "== a record that is not an event goes to credit-check's dead-letter topic; the agent carries on"
echo "not an event" | "$agentbus" kafka produce loan.applications --bootstrap-file "$bootstrap_file" 2>/dev/null
wait_for_lines "$work/credit-check.err" 1 30 "event dead-lettered"
"$agentbus" dlt list credit-check --bootstrap-file "$bootstrap_file" 2>/dev/null | sed 's/^/   /'

echo "== replay: the first workflow rebuilt from the event log (agentbus replay <correlation ID>)"
"$agentbus" replay "$correlation" --bootstrap-file "$bootstrap_file" 2>/dev/null | sed 's/^/   /'
echo "== replay --format timeline: per hop, queue wait (·) against processing (█)"
"$agentbus" replay "$correlation" --format timeline --bootstrap-file "$bootstrap_file" 2>/dev/null | sed 's/^/   /'
echo "== replay ls: every workflow in the log, saved to a file and listed from it"
"$agentbus" replay --save "$work/run.jsonl" --bootstrap-file "$bootstrap_file" 2>/dev/null | sed 's/^/   /'
"$agentbus" replay ls --from-file "$work/run.jsonl" 2>/dev/null | sed 's/^/   /'
echo "== replay lint: what looks wrong, with cause and fix (exit status 1 when anything does)"
echo "   (the fraud check and the assessment above were published by hand into the first workflow: more roots)"
"$agentbus" replay lint "$correlation" --from-file "$work/run.jsonl" 2>/dev/null | sed 's/^/   /' || true
echo "   exports for other tools: --format json, dot, mermaid, chrome (Perfetto), otlp (Jaeger)"

echo "== agentbus agents (live instances, from their heartbeats)"
"$agentbus" agents --bootstrap-file "$bootstrap_file" 2>/dev/null | sed 's/^/   /'

echo "== SIGTERM: each agent finishes what it holds, commits, leaves its group"
for agent in credit-check risk-scorer; do pkill -TERM -f "$bin/$agent --bootstrap-file $bootstrap_file" || true; done
for agent in credit-check risk-scorer; do
  wait_for_lines "$work/$agent.err" 1 30 "agent stopped"
  echo "   $agent: $(grep -o 'agent stopped.*' "$work/$agent.err" | head -1 | cut -c1-60)"
done
echo "== done"
