#!/usr/bin/env bash
# CEL conformance of the CEL package behind Meshwork's policy engine (docs/benchmarks.md, "Policies").
#   bench/cel-conformance/run.sh [--quiet]
# 1. npm ci: @bufbuild/cel-spec (the cel-spec conformance suites as protobuf-es messages);
# 2. export.mjs: the suites Meshwork cares about → out/conformance.json (plain JSON, values tagged with their CEL type);
# 3. bench/Meshwork.CelConformance: evaluates every test with the Cel package as CelPolicyEvaluator does and prints
#    pass/fail/skipped per suite and every failure (--quiet: the summary only).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ -f "$here/package-lock.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
else
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error)
fi
node "$here/export.mjs" "$here/out/conformance.json"
dotnet run -c Release --project "$root/bench/Meshwork.CelConformance" -- "$here/out/conformance.json" "$@"
