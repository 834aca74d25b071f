#!/usr/bin/env bash
# `make test`: builds the tests, then runs five things at once and fails if any fails:
#   1. the process tests (agents, the CLI and the Kafka layer as real processes against dev-broker
#      processes), printed as they run;
#   2. the in-process tests (the libraries, the runtime on an in-process embedded cluster, the
#      example agents' rules), into .build/in-process-tests.log, printed after;
#   3. once those are done, the short fault-injection run: scripts/chaos.py with 500 workflows
#      (what `make chaos-quick` runs; CHAOS_SEED=N picks its seed, 2026 by default), into
#      .build/chaos.log, printed after;
#   4. scripts/check-doc-snippets.sh (every Swift block of README.md and docs/ compiles), at the
#      lowest priority, into .build/doc-snippets.log;
#   5. scripts/check-deploy.sh (the Dockerfile, compose file and Kubernetes manifests), into
#      .build/check-deploy.log.
# Within each test run, tests go one at a time: several start real processes and consumer groups,
# which on a small machine are steadier in sequence. The runs share no broker, port or file,
# and mostly wait on processes and brokers, so side by side they take little longer than the
# longest of them. The test binary is run directly: `swift test` holds a lock on .build that
# would make the second run wait for the first.
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT="${SWIFT:-swift}"

"$SWIFT" build --build-tests || exit 1
tests="$("$SWIFT" build --show-bin-path)/AgentBusPackageTests.xctest"
mkdir -p .build
rm -f .build/in-process-tests.status
in_process='^(AgentBusTests|AgentBusTestingTests|AgentBusReplayTests|JSONSchemaTests|LoanEventsTests|LoanAgentsTests)\.'

SWIFT="$SWIFT" nice -n 19 scripts/check-doc-snippets.sh >.build/doc-snippets.log 2>&1 &
snippets=$!
scripts/check-deploy.sh >.build/check-deploy.log 2>&1 &
deploy=$!
# The fault-injection run follows the in-process tests rather than starting with them: it loads
# both cores for about three minutes, which the shorter in-process run leaves free beside the
# process tests.
(
  "$tests" --testing-library swift-testing --no-parallel --filter "$in_process" >.build/in-process-tests.log 2>&1
  echo $? >.build/in-process-tests.status
  scripts/chaos.py --workflows 500 --seed "${CHAOS_SEED:-2026}" --bin "$("$SWIFT" build --show-bin-path)" \
    >.build/chaos.log 2>&1
) &
in_process_then_chaos=$!
"$tests" --testing-library swift-testing --no-parallel --skip "$in_process"
process_status=$?

wait "$in_process_then_chaos"; chaos_status=$?
in_process_status=$(cat .build/in-process-tests.status 2>/dev/null || echo 1)
echo; echo "== in-process tests (.build/in-process-tests.log)"; cat .build/in-process-tests.log
echo; echo "== fault injection, 500 workflows (.build/chaos.log)"; cat .build/chaos.log
wait "$deploy"; deploy_status=$?
echo; echo "== deploy checks (.build/check-deploy.log)"; cat .build/check-deploy.log
wait "$snippets"; snippets_status=$?
echo; echo "== documentation snippets (.build/doc-snippets.log)"; cat .build/doc-snippets.log

echo
status=0
for part in "process tests:$process_status" "in-process tests:$in_process_status" "fault injection:$chaos_status" \
    "deploy checks:$deploy_status" "documentation snippets:$snippets_status"; do
  if [ "${part##*:}" -eq 0 ]; then echo "make test: ${part%:*} passed"; else echo "make test: ${part%:*} FAILED"; status=1; fi
done
exit $status
