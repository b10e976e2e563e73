#!/usr/bin/env bash
# The governed read path on the PostgreSQL metadata store against the SQLite store (issue 13): per-request time of
# GET /api/v1/datasets/customers.profiles.profiles_v1/data?format=csv&limit=10 at 32 concurrent readers, with wrk
# on loopback against real `mesh serve` processes.
#
#   bench/store-load.sh [--duration SECONDS] [--rounds N] [--connections N]
#
# Publishes the CLI (Release), starts a throwaway PostgreSQL (Debian's postgresql: initdb + pg_ctl on a free
# loopback port, as the postgres user when root), applies examples/retail twice (once per store, each into a data
# folder of its own), serves both, and runs wrk against each in turn, round after round, so that both see the
# same machine load. Every read touches the store: the agreement lookup, the snapshot pointer and two audit
# appends (before the first byte and at the end). The read limits are raised for the run (one principal, many
# connections), so that the figures are the store's, not the 429s of Meshwork:MaxConcurrentReads*.
# Prints per store the median over rounds of requests/s, p50 and p99, and the ratio PostgreSQL / SQLite of the
# p50 per-request time (median of the per-round ratios). Needs wrk, curl and postgresql (apt-get install -y ...).
set -euo pipefail

duration=20
rounds=3
connections=32
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    *) sed -n '2,17p' "$0" >&2; exit 2 ;;
  esac
done
for tool in wrk curl; do
  command -v "$tool" > /dev/null || { echo "store-load: $tool is missing (apt-get install -y $tool)" >&2; exit 2; }
done
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
[ -n "$pgbin" ] || { echo "store-load: PostgreSQL is missing (apt-get install -y postgresql)" >&2; exit 2; }

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/meshwork-store-load.XXXXXX")
chmod 755 "$work"
pids=()
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  [ -d "$work/pg" ] && as_pg "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "== publish the CLI (Release)"
dotnet publish "$repo/src/Meshwork.Cli" -c Release -o "$work/cli" --nologo -v quiet
cli="$work/cli/Meshwork.Cli"

echo "== a throwaway PostgreSQL"
mkdir -p "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres "$work/pg"
as_pg "$pgbin/initdb" -D "$work/pg" -U postgres --auth=trust --no-sync > "$work/initdb.log"
pgport=$(free_port)
as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w start \
  -o "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" > /dev/null

stores=(sqlite postgres)
declare -A connection=([sqlite]="" [postgres]="postgresql://postgres@127.0.0.1:$pgport/postgres")
declare -A url pid_of token_of
for store in "${stores[@]}"; do
  mesh="$work/$store/mesh"
  mkdir -p "$mesh"
  cp -r "$repo/examples/retail/." "$mesh/"
  rm -rf "$mesh/.mesh"
  echo "== apply examples/retail on the $store store"
  MESHWORK_STORE="${connection[$store]}" "$cli" apply "$mesh" --yes > "$work/apply-$store.log"
  port=$(free_port)
  MESHWORK_STORE="${connection[$store]}" Meshwork__MaxConcurrentReads=256 Meshwork__MaxConcurrentReadsPerPrincipal=256 \
    "$cli" serve --data "$mesh/.mesh" --urls "http://127.0.0.1:$port" > "$work/serve-$store.log" 2>&1 &
  pids+=($!)
  pid_of[$store]=$!
  url[$store]="http://127.0.0.1:$port"
  for _ in $(seq 1 120); do curl -sf "${url[$store]}/healthz" > /dev/null && break; sleep 1; done
  curl -sf "${url[$store]}/healthz" > /dev/null || { echo "store-load: the $store server did not start:" >&2; cat "$work/serve-$store.log" >&2; exit 1; }
  token_of[$store]=$(MESHWORK_STORE="${connection[$store]}" "$cli" token olivia --data "$mesh/.mesh" | grep -v '^#' | tail -n 1)
done

path="/api/v1/datasets/customers.profiles.profiles_v1/data?format=csv&limit=10"
for store in "${stores[@]}"; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${token_of[$store]}" "${url[$store]}$path")
  [ "$status" = 200 ] || { echo "store-load: $store answered $status to a read" >&2; exit 1; }
  wrk -t1 -c"$connections" -d5s -H "Authorization: Bearer ${token_of[$store]}" "${url[$store]}$path" > /dev/null
done

results="$work/results.txt"
echo "== $rounds round(s) of ${duration}s; wrk -t1 -c$connections; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  for store in "${stores[@]}"; do
    out="$work/wrk-$store-$round.txt"
    wrk -t1 -c"$connections" -d"${duration}s" --latency -H "Authorization: Bearer ${token_of[$store]}" "${url[$store]}$path" > "$out"
    awk -v s="$store" -v r="$round" '
      function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
      /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
      /Non-2xx|Socket errors/ { errors = errors " " $0 }
      END { printf "%s %s %s %.2f %.2f %s\n", s, r, rps, p50, p99, (errors == "" ? "-" : "ERR") ; if (errors != "") print "   " s " round " r ":" errors > "/dev/stderr" }' "$out" >> "$results"
    tail -n 1 "$results" | awk '{ printf "   %-8s round %s: %8s req/s  p50 %7.2f ms  p99 %8.2f ms %s\n", $1, $2, $3, $4, $5, ($6 == "-" ? "" : "ERRORS") }'
  done
done
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

awk '
  function median(list,   n, a, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { rps[$1] = rps[$1] " " $3; p50[$1] = p50[$1] " " $4; p99[$1] = p99[$1] " " $5; round[$1, $2] = $4; rounds[$2] = 1; if ($6 != "-") bad = 1 }
  END {
    print "== medians over rounds"
    for (s in rps) printf "   %-8s %8.0f req/s  p50 %7.2f ms  p99 %8.2f ms\n", s, median(rps[s]), median(p50[s]), median(p99[s])
    for (r in rounds) ratios = ratios " " round["postgres", r] / round["sqlite", r]
    printf "   per-request time (p50), PostgreSQL / SQLite: %.2fx (median of the per-round ratios:%s)\n", median(ratios), ratios
    exit bad
  }' "$results"
