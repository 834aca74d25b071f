#!/usr/bin/env bash
# `make test`: builds the tests, then runs four things at once and fails if any fails:
#   1. the process tests (agents, the CLI and the Kafka layer as real processes against dev-broker
#      processes), printed as they run;
#   2. the in-process tests (the libraries, the runtime on an in-process embedded cluster, the
#      example agents' rules), into .build/in-process-tests.log, printed after;
#   3. scripts/check-doc-snippets.sh (every Swift block of README.md and docs/ compiles), at the
#      lowest priority, into .build/doc-snippets.log;
#   4. scripts/check-deploy.sh (the Dockerfile, compose file and Kubernetes manifests), into
#      .build/check-deploy.log.
# Within each test run, tests go one at a time: several start real processes and consumer groups,
# which on a small machine are steadier in sequence. The two runs share no broker, port or file,
# and mostly wait on processes and brokers, so side by side they take little longer than the
# longer of the two. The test binary is run directly: `swift test` holds a lock on .build that
# would make the second run wait for the first.
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT="${SWIFT:-swift}"

"$SWIFT" build --build-tests || exit 1
tests="$("$SWIFT" build --show-bin-path)/AgentBusPackageTests.xctest"
mkdir -p .build
in_process='^(AgentBusTests|AgentBusTestingTests|AgentBusReplayTests|JSONSchemaTests|LoanEventsTests|LoanAgentsTests)\.'

SWIFT="$SWIFT" nice -n 19 scripts/check-doc-snippets.sh >.build/doc-snippets.log 2>&1 &
snippets=$!
scripts/check-deploy.sh >.build/check-deploy.log 2>&1 &
deploy=$!
"$tests" --testing-library swift-testing --no-parallel --filter "$in_process" >.build/in-process-tests.log 2>&1 &
in_process_tests=$!
"$tests" --testing-library swift-testing --no-parallel --skip "$in_process"
process_status=$?

wait "$in_process_tests"; in_process_status=$?
echo; echo "== in-process tests (.build/in-process-tests.log)"; cat .build/in-process-tests.log
wait "$deploy"; deploy_status=$?
echo; echo "== deploy checks (.build/check-deploy.log)"; cat .build/check-deploy.log
wait "$snippets"; snippets_status=$?
echo; echo "== documentation snippets (.build/doc-snippets.log)"; cat .build/doc-snippets.log

echo
status=0
for part in "process tests:$process_status" "in-process tests:$in_process_status" \
    "deploy checks:$deploy_status" "documentation snippets:$snippets_status"; do
  if [ "${part##*:}" -eq 0 ]; then echo "make test: ${part%:*} passed"; else echo "make test: ${part%:*} FAILED"; status=1; fi
done
exit $status
