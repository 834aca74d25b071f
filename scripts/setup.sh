#!/usr/bin/env bash
# Makes sure this machine can build and test AgentBus: the Swift toolchain, librdkafka's headers
# (librdkafka-dev), and kcat (the interop tests write and read events with it, as a foreign
# Kafka client would). Installs what is missing with apt-get when we are root; otherwise says how.
# Also fetches the JSON-Schema-Test-Suite where the network allows (below).
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: swift is not on PATH; install Swift 6 from swift.org and try again" >&2
  exit 1
fi

# The official JSON-Schema-Test-Suite (draft 2020-12), which the JSONSchema tests run when they
# find it: $JSON_SCHEMA_TEST_SUITE, ../shared/testdata/JSON-Schema-Test-Suite beside the checkout,
# or the pinned copy fetched here into .build-testdata/ (git-ignored). The copy comes from the
# jsonschema source distribution on PyPI, which ships the suite in json/; only tests/draft2020-12
# and remotes/ are kept. Offline, or without pip, nothing happens and the suite tests are skipped.
SUITE_PACKAGE=jsonschema-4.23.0
SUITE_SHA256=d71497fef26351a33265337fa77ffeb82423f3ea21283cd9467bb03999266bc4
fetch_test_suite() {
  local root target scratch archive
  root="$(cd "$(dirname "$0")/.." && pwd)"
  target="$root/.build-testdata/JSON-Schema-Test-Suite"
  if [ -n "${JSON_SCHEMA_TEST_SUITE:-}" ] || [ -d "$root/../shared/testdata/JSON-Schema-Test-Suite/tests/draft2020-12" ] \
    || [ -f "$target/SOURCE.txt" ]; then
    return 0
  fi
  local pip
  if command -v pip3 >/dev/null 2>&1; then pip=(pip3)
  elif python3 -m pip --version >/dev/null 2>&1; then pip=(python3 -m pip)
  else return 0
  fi
  scratch="$(mktemp -d)"
  archive="$scratch/$SUITE_PACKAGE.tar.gz"
  if "${pip[@]}" download --quiet --no-deps --no-binary jsonschema --timeout 15 --retries 0 \
      --disable-pip-version-check -d "$scratch" "${SUITE_PACKAGE/-/==}" >/dev/null 2>&1 \
    && [ -f "$archive" ] \
    && echo "$SUITE_SHA256  $archive" | sha256sum --check --status \
    && tar -xzf "$archive" -C "$scratch" "$SUITE_PACKAGE/json/tests/draft2020-12" "$SUITE_PACKAGE/json/remotes" \
      "$SUITE_PACKAGE/json/LICENSE"; then
    rm -rf "$target"
    mkdir -p "$target"
    mv "$scratch/$SUITE_PACKAGE/json/tests" "$scratch/$SUITE_PACKAGE/json/remotes" "$scratch/$SUITE_PACKAGE/json/LICENSE" "$target/"
    echo "JSON-Schema-Test-Suite as shipped in $SUITE_PACKAGE.tar.gz (PyPI, sha256 $SUITE_SHA256)" >"$target/SOURCE.txt"
    echo "setup: JSON-Schema-Test-Suite fetched into .build-testdata/ (from $SUITE_PACKAGE on PyPI)"
  fi
  rm -rf "$scratch"
}
fetch_test_suite || true

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
