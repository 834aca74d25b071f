# AgentBus: the commands the README names. Each sets up what is missing first.
SWIFT ?= swift

.PHONY: setup build test demo bench clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

# Tests run one at a time: several start real processes and consumer groups, which on a small
# machine are steadier in sequence.
test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

demo: setup
	$(SWIFT) build --product agentbus
	$(SWIFT) build --product credit-check
	$(SWIFT) build --product risk-scorer
	@scripts/demo.sh .build/debug/agentbus

bench: setup
	$(SWIFT) build -c release --product kafka-bench
	$(SWIFT) build -c release --product event-bench
	$(SWIFT) build -c release --product agentbus
	$(SWIFT) build -c release --product agent-bench
	$(SWIFT) build -c release --product replay-bench
	.build/release/kafka-bench
	.build/release/event-bench schemas
	.build/release/agent-bench --schemas schemas
	.build/release/replay-bench

clean:
	rm -rf .build
