# AgentBus: the commands the README names. Each sets up what is missing first.
SWIFT ?= swift

.PHONY: setup build test doc-snippets check-deploy demo bench bench-quick bench-build clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

# Process tests, in-process tests then a 500-workflow fault-injection run (SEED=N picks its seed),
# the documentation's Swift blocks and the deploy checks, side by side (scripts/test.sh says how,
# and prints each part's result at the end).
test: setup
	@SWIFT=$(SWIFT) CHAOS_SEED=$(or $(SEED),2026) scripts/test.sh

# Only the documentation check: the Swift blocks of README.md and docs/*.md, built in a scratch
# package (.build-doc-snippets/) against this checkout.
doc-snippets:
	@SWIFT=$(SWIFT) scripts/check-doc-snippets.sh

# Only the deploy artifacts' checks (deploy/: Dockerfile, compose, Kubernetes), with the tools
# set-up puts in .venv-tools; no Docker engine or cluster needed.
check-deploy: setup
	@scripts/check-deploy.sh

demo: setup
	$(SWIFT) build --product agentbus
	$(SWIFT) build --product intake
	$(SWIFT) build --product document-extraction
	$(SWIFT) build --product credit-check
	$(SWIFT) build --product fraud-check
	$(SWIFT) build --product risk-scorer
	$(SWIFT) build --product aggregator
	$(SWIFT) build --product decision
	$(SWIFT) build --product notifier
	$(SWIFT) build --product explainer
	$(SWIFT) build --product supervisor
	@scripts/demo.sh .build/debug/agentbus

# Every benchmark, each beside its baseline from the same run, then one table of them all
# (scripts/bench-report.py), which is also written to Benchmarks/results/latest.json. The figures
# collect in .build/bench/results.jsonl, emptied first. bench-build also builds the example agents
# and the supervisor: agent-bench's e2e part runs the example system as processes.
BENCH_DIR = .build/bench

bench-build: setup
	$(SWIFT) build -c release --product kafka-bench
	$(SWIFT) build -c release --product event-bench
	$(SWIFT) build -c release --product agentbus
	$(SWIFT) build -c release --product agent-bench
	$(SWIFT) build -c release --product replay-bench
	$(SWIFT) build -c release --product intake
	$(SWIFT) build -c release --product document-extraction
	$(SWIFT) build -c release --product credit-check
	$(SWIFT) build -c release --product fraud-check
	$(SWIFT) build -c release --product aggregator
	$(SWIFT) build -c release --product risk-scorer
	$(SWIFT) build -c release --product decision
	$(SWIFT) build -c release --product notifier
	$(SWIFT) build -c release --product explainer
	$(SWIFT) build -c release --product supervisor

bench: bench-build
	@scripts/bench-report.py start $(BENCH_DIR)
	.build/release/kafka-bench --results $(BENCH_DIR)/results.jsonl
	.build/release/event-bench schemas --results $(BENCH_DIR)/results.jsonl
	.build/release/agent-bench --schemas schemas --results $(BENCH_DIR)/results.jsonl
	.build/release/replay-bench --results $(BENCH_DIR)/results.jsonl
	@scripts/bench-report.py report $(BENCH_DIR) --mode full

# The same table on smaller runs (under three minutes once built), written to
# Benchmarks/results/latest-quick.json so it never replaces a full run's.
bench-quick: bench-build
	@scripts/bench-report.py start $(BENCH_DIR)
	.build/release/kafka-bench --quick --results $(BENCH_DIR)/results.jsonl
	.build/release/event-bench schemas --quick --results $(BENCH_DIR)/results.jsonl
	.build/release/agent-bench --schemas schemas --quick --results $(BENCH_DIR)/results.jsonl
	.build/release/replay-bench --quick --results $(BENCH_DIR)/results.jsonl
	@scripts/bench-report.py report $(BENCH_DIR) --mode quick

clean:
	rm -rf .build .build-doc-snippets

# Fault injection (docs/operations.md, "Fault injection"): the example system under load while
# agents are SIGKILLed, a broker goes down, requests fail and bad input arrives; prints a table of
# invariants. SEED=N reproduces a run, CHAOS_ARGS passes more options (scripts/chaos.py --help).
# chaos runs 10,000 workflows; chaos-quick 500, in under five minutes.
.PHONY: chaos chaos-quick chaos-build
CHAOS_SEED = $(if $(SEED),--seed $(SEED),)

chaos-build: setup
	$(SWIFT) build --product agentbus
	$(SWIFT) build --product intake
	$(SWIFT) build --product document-extraction
	$(SWIFT) build --product credit-check
	$(SWIFT) build --product fraud-check
	$(SWIFT) build --product risk-scorer
	$(SWIFT) build --product aggregator
	$(SWIFT) build --product decision
	$(SWIFT) build --product notifier
	$(SWIFT) build --product explainer
	$(SWIFT) build --product supervisor

chaos: chaos-build
	@scripts/chaos.py --workflows 10000 $(CHAOS_SEED) $(CHAOS_ARGS)

chaos-quick: chaos-build
	@scripts/chaos.py --workflows 500 $(CHAOS_SEED) $(CHAOS_ARGS)
