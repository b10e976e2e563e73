#!/usr/bin/env bash
# End-to-end time of `mesh lint` on a generated mesh, process start to exit, as a CI gate runs it.
#
#   bench/lint-e2e.sh [--compare] [PRODUCTS] [RUNS]     (defaults: 1000 products, 5 runs)
#
# --compare (needs hyperfine) also times the runtime settings docs/benchmarks.md discusses, in one run so
# they compare as ratios: tiered PGO off, server GC, and a ReadyToRun publish.
# Exits non-zero if the build fails or lint reports any error or warning (--strict).
set -euo pipefail

compare=false
if [ "${1:-}" = --compare ]; then
  compare=true
  shift
fi
products=${1:-1000}
runs=${2:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/meshwork-lint-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== publish the CLI (Release) and generate $products products"
dotnet publish "$repo/src/Meshwork.Cli" -c Release -o "$work/cli" --nologo -v quiet
dotnet run -c Release --project "$repo/bench/Meshwork.Benchmarks" -- generate "$work/mesh" --products "$products"
mesh="$work/cli/Meshwork.Cli"
lint="lint $work/mesh --strict"

# One checked run first: timing a lint that finds problems would measure the wrong thing.
if ! "$mesh" $lint > "$work/lint.txt"; then
  echo "mesh lint reported findings on the generated mesh:" >&2
  head -n 40 "$work/lint.txt" >&2
  exit 1
fi

echo "== time: mesh lint <mesh> --strict, $runs runs"
if command -v hyperfine > /dev/null; then
  # hyperfine fails (and so this script) if any run exits non-zero.
  hyperfine -N --warmup 1 --runs "$runs" --export-csv "$work/times.csv" "$mesh $lint"
  # CSV columns: command,mean,stddev,median,user,system,min,max (seconds).
  IFS=, read -r _ _ _ median _ _ min max < <(tail -n 1 "$work/times.csv")
else
  times=()
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$mesh" $lint > /dev/null
    times+=("$(( $(date +%s%N) - start ))")
  done
  mapfile -t sorted < <(printf '%s\n' "${times[@]}" | sort -n)
  seconds() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e9 }'; }
  min=$(seconds "${sorted[0]}")
  median=$(seconds "${sorted[$(( runs / 2 ))]}")
  max=$(seconds "${sorted[$(( runs - 1 ))]}")
fi

printf 'mesh lint, %s products: min %.2f s, median %.2f s, max %.2f s (%s runs)\n' "$products" "$min" "$median" "$max" "$runs"
if [ "$products" = 1000 ]; then
  if awk -v m="$median" 'BEGIN { exit !(m < 3) }'; then
    echo "target (median < 3 s for 1,000 products): met"
  else
    echo "target (median < 3 s for 1,000 products): NOT met"
  fi
fi

if $compare; then
  command -v hyperfine > /dev/null || { echo "--compare needs hyperfine (apt-get install -y hyperfine)" >&2; exit 2; }
  echo "== compare runtime settings (environment variables stand for the project properties named in docs/benchmarks.md)"
  dotnet publish "$repo/src/Meshwork.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$work/cli-r2r" --nologo -v quiet
  r2r="$work/cli-r2r/Meshwork.Cli"
  hyperfine -N --warmup 1 --runs "$runs" \
    -n "default" "$mesh $lint" \
    -n "TieredPGO=0" "env DOTNET_TieredPGO=0 $mesh $lint" \
    -n "ServerGC" "env DOTNET_gcServer=1 $mesh $lint" \
    -n "ServerGC + TieredPGO=0" "env DOTNET_gcServer=1 DOTNET_TieredPGO=0 $mesh $lint" \
    -n "ReadyToRun + ServerGC + TieredPGO=0 + non-concurrent GC" \
    "env DOTNET_gcServer=1 DOTNET_TieredPGO=0 DOTNET_gcConcurrent=0 $r2r $lint"
fi
