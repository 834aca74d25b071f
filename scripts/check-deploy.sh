#!/usr/bin/env bash
# Checks the deploy artifacts (deploy/: Dockerfile, compose, Kubernetes) without a Docker engine
# or a cluster: hadolint, kustomize builds validated against Kubernetes' schemas, the CRDs'
# fields, the Compose Specification, and that every example agent is built, run and given its
# topics everywhere (scripts/check-deploy.py says each). The tools are in .venv-tools, which
# scripts/setup.sh creates. One line per check; exits 1 when any fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${AGENTBUS_TOOLS_VENV:-$root/.venv-tools}"
if [ ! -x "$venv/bin/python" ] || [ ! -x "$venv/bin/hadolint" ]; then
  echo "check-deploy: no tools in $venv; run scripts/setup.sh" >&2
  exit 1
fi
exec "$venv/bin/python" "$root/scripts/check-deploy.py" "$@"
