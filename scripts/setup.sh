#!/usr/bin/env bash
# Makes sure this machine can build and test AgentBus: the Swift toolchain, librdkafka's headers
# (librdkafka-dev), and kcat (the interop tests write and read events with it, as a foreign
# Kafka client would). Installs what is missing with apt-get when we are root; otherwise says how.
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: swift is not on PATH; install Swift 6 from swift.org and try again" >&2
  exit 1
fi

missing=()
if ! pkg-config --exists rdkafka 2>/dev/null || [ ! -f /usr/include/librdkafka/rdkafka_mock.h ]; then
  missing+=(librdkafka-dev pkg-config)
fi
if ! command -v kcat >/dev/null 2>&1; then
  missing+=(kcat)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: missing ${missing[*]}; install librdkafka (with rdkafka_mock.h) and kcat with your package manager (Homebrew: brew install librdkafka kcat)" >&2
  exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing ${missing[*]}. Install with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "setup: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "setup: librdkafka $(pkg-config --modversion rdkafka), $(kcat -V 2>/dev/null | head -1 || echo kcat) installed"
