#!/usr/bin/env bash
# Makes sure this machine can build AgentBus: the Swift toolchain and librdkafka's headers.
# Installs librdkafka-dev with apt-get when it is missing and we are root; otherwise says how.
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: swift is not on PATH; install Swift 6 from swift.org and try again" >&2
  exit 1
fi

if pkg-config --exists rdkafka 2>/dev/null && [ -f /usr/include/librdkafka/rdkafka_mock.h ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: librdkafka (with rdkafka_mock.h) is missing; install it with your package manager (Homebrew: brew install librdkafka)" >&2
  exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: librdkafka-dev is missing. Install it with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y librdkafka-dev pkg-config" >&2
  exit 1
fi

echo "setup: installing librdkafka-dev with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq librdkafka-dev pkg-config >/dev/null
echo "setup: librdkafka $(pkg-config --modversion rdkafka) installed"
