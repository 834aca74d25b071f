#!/usr/bin/env bash
# Checks that every ```swift block of README.md and docs/*.md compiles against this checkout.
# Usage: scripts/check-doc-snippets.sh [PAGE.md ...]   (default: README.md docs/*.md)
#
# 1. scripts/doc-snippets/main.swift (compiled once into .build-doc-snippets/, again when it
#    changes) writes the blocks into a scratch package, .build-doc-snippets/: one module per page,
#    one file per block, depending on this checkout by path and on its libraries. Declarations stay
#    at file scope; statements go into a function of their own. Files are rewritten only when a
#    block changes, so a warm run rebuilds only the pages that changed.
# 2. Blocks that are package manifests (`import PackageDescription`) are type-checked against the
#    toolchain's PackageDescription.
# 3. `swift build` of the scratch package; diagnostics point at the Markdown file and line.
#
# A block that is not meant to compile is written as ```text (or another language); one that needs
# a package AgentBus does not depend on is marked, on the line before it, with
#   <!-- snippet: skip, needs swift-otel -->
# and is reported as skipped with that reason.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$root/.build-doc-snippets"
SWIFT="${SWIFT:-swift}"
SWIFTC="${SWIFTC:-$(dirname "$(command -v "$SWIFT")")/swiftc}"
mkdir -p "$scratch"

extractor="$scratch/doc-snippets"
if [ ! -x "$extractor" ] || [ "$root/scripts/doc-snippets/main.swift" -nt "$extractor" ]; then
  "$SWIFTC" "$root/scripts/doc-snippets/main.swift" -module-name DocSnippetsExtractor -o "$extractor"
fi

cd "$root"
# The pages to check: the arguments (paths from the repository root), else all of them.
if [ $# -gt 0 ]; then pages=("$@"); else pages=(README.md docs/*.md); fi
listing="$("$extractor" "$root" "$scratch" "${pages[@]}")"

failed=0
skipped=0
manifests=0
while read -r kind location rest; do
  case "$kind" in
    skip)
      echo "doc-snippets: skipped $location: $rest"
      skipped=$((skipped + 1))
      ;;
    manifest)
      manifests=$((manifests + 1))
      api="$(dirname "$(readlink -f "$(command -v "$SWIFTC")")")/../lib/swift/pm/ManifestAPI"
      if [ ! -d "$api" ]; then
        echo "doc-snippets: skipped $location: no PackageDescription module at $api to check a manifest against"
        skipped=$((skipped + 1))
      elif [ "$rest.ok" -nt "$rest" ]; then
        :
      elif diagnostics="$("$SWIFTC" -typecheck -diagnostic-style llvm -I "$api" -package-description-version 6.0 "$rest" 2>&1)"; then
        touch "$rest.ok"
      else
        echo "doc-snippets: $location: this Package.swift does not type-check:"
        grep -E "error:" <<<"$diagnostics" | sed "s|^$root/||" || true
        failed=1
      fi
      ;;
  esac
done <<<"$listing"

targets="$(sed -n 's/^targets //p' <<<"$listing")"
blocks="$(sed -n 's/^blocks //p' <<<"$listing")"

log="$scratch/build.log"
build() { "$SWIFT" build --package-path "$scratch" "$@"; }
# SwiftPM keeps its build plan while no manifest changes, even when this checkout's source files
# moved or were removed; such a stale plan fails with "missing inputs": plan again once.
if ! build >"$log" 2>&1 && grep -q "because of missing inputs" "$log"; then
  rm -f "$scratch"/.build/*/debug/description.json
fi
if ! build >"$log" 2>&1; then
  # Build each page on its own, so every failing page is named, not only the first.
  for target in $targets; do
    if ! build --target "$target" >"$log.$target" 2>&1; then
      echo "doc-snippets: ${target#DocSnippets_}: a block does not compile:"
      grep -E "\.md:[0-9]+:[0-9]+: error:" "$log.$target" | sort -u | sed "s|^$root/||" || true
      if ! grep -qE "\.md:[0-9]+:[0-9]+: error:" "$log.$target"; then tail -20 "$log.$target"; fi
    fi
  done
  failed=1
fi

if [ "$failed" -ne 0 ]; then
  echo "doc-snippets: FAILED; full compiler output in $log*" >&2
  exit 1
fi
echo "doc-snippets: ${blocks:-0} Swift blocks and $manifests package manifests in ${#pages[@]} pages compile ($skipped skipped)"
