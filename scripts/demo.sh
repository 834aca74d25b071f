#!/usr/bin/env bash
# The demo: starts the embedded cluster in its own process, two consumer processes in one group,
# sends a few events, and prints what each consumer received; then publishes typed loan events
# (validated against schemas/) and watches them with `agentbus tail`.
set -euo pipefail

agentbus=${1:-.build/debug/agentbus}
work=$(mktemp -d)
bootstrap_file="$work/dev-broker"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Waits (up to $3 seconds) until file $1 has at least $2 lines matching $4 (default: any line).
wait_for_lines() {
  local file=$1 count=$2 seconds=$3 pattern=${4:-.}
  local deadline=$((SECONDS + seconds))
  while [ "$(grep -c -- "$pattern" "$file" 2>/dev/null || true)" -lt "$count" ]; do
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
 "submittedAt": "2026-11-21T09:15:30.000Z", "channel": "web"}
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
