#!/usr/bin/env bash
# Throughput and latency of the schema registry's hottest read, GET /registry/schemas/ids/{id} (what every Kafka
# deserializer asks for a schema it has not cached), with wrk on loopback against the real server process.
#
#   bench/registry-load.sh [--duration SECONDS] [--rounds N] [--connections "32 128"] [--threads N]
#                          [--principal NAME] [--variant NAME CLI_DIR "VAR=VALUE ..."]...
#
# Applies examples/retail to a temporary data folder (which registers each dataset's Avro schema under
# <address>-value), serves it with `mesh serve` on a port the OS picks, issues a token with `mesh token`, finds a
# real schema id, checks that credentials are still enforced, warms up, then runs wrk round after round against:
#   healthz        GET /healthz, anonymous: the ceiling of this server on this machine (routing, metrics, no auth)
#   auth-only      GET /healthz with the bearer header: the ceiling plus the authentication of every request
#   registry       GET /registry/schemas/ids/{id} with the bearer token, at each connection count
#   registry-basic the same with HTTP basic 'principal:token' (what basic.auth.user.info sends)
# and prints, per variant and endpoint, the median over rounds of requests/s, p50 and p99, and the registry's
# requests/s as a fraction of /healthz's in the same round (median of the per-round ratios), with the CPU time per
# request of the server and of wrk, which depends less on what else runs on the machine than requests/s do.
#
# Variants: without --variant, the CLI is published (Release) from this checkout and run as shipped. Each
# --variant serves the same data folder from another published CLI folder (or "-" for this checkout's publish)
# with extra environment variables, e.g. runtime settings:
#   bench/registry-load.sh --variant shipped - "" --variant pgo - "DOTNET_TieredPGO=1"
# Variants are interleaved within each round so that they see the same machine load.
#
# wrk and the server share the machine's cores (2 here): the figures are for client and server together.
# Needs wrk (apt-get install -y wrk) and curl. Exits non-zero if a check fails or any request is answered with
# a non-2xx status or a socket error.
set -euo pipefail

duration=20
rounds=3
connections="32 128"
threads=1
principal=olivia
variants=()
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --principal) principal=$2; shift 2 ;;
    --variant) [ $# -ge 4 ] || { echo "--variant needs NAME CLI_DIR ENV" >&2; exit 2; }; variants+=("$2|$3|$4"); shift 4 ;;
    *) sed -n '2,27p' "$0" >&2; exit 2 ;;
  esac
done
[ ${#variants[@]} -gt 0 ] || variants=("shipped|-|")
for tool in wrk curl; do
  command -v "$tool" > /dev/null || { echo "registry-load: $tool is missing (apt-get install -y $tool)" >&2; exit 2; }
done

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/meshwork-registry-load.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

needs_publish=false
for v in "${variants[@]}"; do IFS='|' read -r _ dir _ <<< "$v"; [ "$dir" != - ] || needs_publish=true; done
if $needs_publish; then
  echo "== publish the CLI (Release) from $repo"
  dotnet publish "$repo/src/Meshwork.Cli" -c Release -o "$work/cli" --nologo -v quiet
fi
cli_of() { if [ "$1" = - ]; then echo "$work/cli/Meshwork.Cli"; else echo "$1/Meshwork.Cli"; fi; }

IFS='|' read -r _ first_dir _ <<< "${variants[0]}"
first_cli=$(cli_of "$first_dir")
data="$work/data"
echo "== apply examples/retail to $data"
"$first_cli" apply "$repo/examples/retail" --data "$data" --yes > "$work/apply.log" 2>&1 || { cat "$work/apply.log" >&2; exit 1; }

# Start one server per variant on a port the OS picks; read the port back from the host's start-up line.
names=(); urls=()
for v in "${variants[@]}"; do
  IFS='|' read -r name dir environment <<< "$v"
  log="$work/server-$name.log"
  # shellcheck disable=SC2086 # ENV is a list of VAR=VALUE words
  env $environment "$(cli_of "$dir")" serve --data "$data" --urls http://127.0.0.1:0 > "$log" 2>&1 &
  pids+=($!)
  url=
  for _ in $(seq 240); do
    url=$(grep -o 'Now listening on: http://127.0.0.1:[0-9]*' "$log" | head -n 1 | sed 's/Now listening on: //') || true
    [ -n "$url" ] && curl -sf "$url/healthz" > /dev/null && break
    kill -0 "${pids[-1]}" 2> /dev/null || { echo "registry-load: server '$name' exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.5
  done
  [ -n "$url" ] || { echo "registry-load: server '$name' did not start in 120 s:" >&2; cat "$log" >&2; exit 1; }
  echo "   $name: $url (pid ${pids[-1]}${environment:+, $environment})"
  names+=("$name"); urls+=("$url")
done

token=$("$first_cli" token "$principal" --data "$data" | grep -v '^#')
basic=$(printf '%s:%s' "$principal" "$token" | base64 -w 0)
url=${urls[0]}
subject=$(curl -sf -H "Authorization: Bearer $token" "$url/registry/subjects" | grep -o '"[^"]*-value"' | head -n 1 | tr -d '"')
id=$(curl -sf -H "Authorization: Bearer $token" "$url/registry/subjects/$subject/versions/latest" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2)
[ -n "$id" ] || { echo "registry-load: no schema id found (subject '$subject')" >&2; exit 1; }
path="/registry/schemas/ids/$id"
size=$(curl -sf -H "Authorization: Bearer $token" "$url$path" | wc -c)
echo "   schema id $id (subject $subject), response body $size bytes, principal $principal"

# Credentials must still be enforced, with the validated-token cache warm (run again after the load).
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check_security() {
  local u wrong tampered failed=0
  wrong=$(printf 'mallory:%s' "$token" | base64 -w 0)
  tampered="${token%?}$([ "${token: -1}" = A ] && echo B || echo A)"
  for u in "${urls[@]}"; do
    [ "$(status -H "Authorization: Bearer $token" "$u$path")" = 200 ] || { echo "FAIL $u: bearer token refused" >&2; failed=1; }
    [ "$(status -H "Authorization: Basic $basic" "$u$path")" = 200 ] || { echo "FAIL $u: basic credentials refused" >&2; failed=1; }
    [ "$(status "$u$path")" = 401 ] || { echo "FAIL $u: no credentials accepted" >&2; failed=1; }
    [ "$(status -H "Authorization: Bearer $tampered" "$u$path")" = 401 ] || { echo "FAIL $u: tampered token accepted" >&2; failed=1; }
    [ "$(status -H "Authorization: Basic $wrong" "$u$path")" = 401 ] || { echo "FAIL $u: $principal's token accepted for mallory" >&2; failed=1; }
  done
  return $failed
}
check_security || exit 1
echo "   checks: bearer and basic accepted; no credentials, a tampered token, another principal's token refused (401)"

# One wrk run against the server with process id $pid; appends "variant endpoint connections round rps p50_ms
# p99_ms errors server_us client_us": the last two are CPU time (user + system) per request of the server process
# (from /proc) and of wrk, which depend less on what else runs on the machine than requests/s do.
results="$work/results.txt"
: > "$results"
tick=$(getconf CLK_TCK)
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
measure() {
  local variant=$1 endpoint=$2 c=$3 round=$4 pid=$5 target=$6
  shift 6
  local file="$work/wrk-$variant-$endpoint-$c-$round.txt" before after
  before=$(cpu_ticks "$pid")
  TIMEFORMAT='%3U %3S'
  { time wrk -t"$threads" -c"$c" -d"${duration}s" --latency "$@" "$target" > "$file"; } 2> "$file.time"
  after=$(cpu_ticks "$pid")
  awk -v v="$variant" -v e="$endpoint" -v c="$c" -v r="$round" -v server=$(( after - before )) -v tick="$tick" -v client="$(cat "$file.time")" '
    function ms(x) { if (x ~ /us$/) return x / 1000; if (x ~ /ms$/) return x + 0; if (x ~ /s$/) return x * 1000; return x }
    /requests in/ { requests = $1 }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx/ { errors += $NF }
    /Socket errors/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
    END {
      split(client, t, " ")
      printf "%s %s %s %s %.0f %.3f %.3f %d %.1f %.1f\n", v, e, c, r, rps, p50, p99, errors,
        (requests > 0 ? server / tick * 1e6 / requests : 0), (requests > 0 ? (t[1] + t[2]) * 1e6 / requests : 0)
    }' "$file" >> "$results"
  tail -n 1 "$results" | awk '{ printf "   %-10s %-15s c=%-4s round %s: %8s req/s  p50 %7.2f ms  p99 %8.2f ms  CPU/request: server %5.1f us, wrk %4.1f us%s\n", $1, $2, $3, $4, $5, $6, $7, $9, $10, ($8 > 0 ? "  ERRORS " $8 : "") }'
}

first_c=${connections%% *}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== warm-up (5 s per endpoint and variant)"
for i in "${!names[@]}"; do
  for target in "${urls[$i]}/healthz" "${urls[$i]}$path"; do
    wrk -t"$threads" -c"$first_c" -d5s -H "Authorization: Bearer $token" "$target" > /dev/null
  done
  wrk -t"$threads" -c"$first_c" -d5s -H "Authorization: Basic $basic" "${urls[$i]}$path" > /dev/null
done

echo "== $rounds round(s) of ${duration}s per run; wrk -t$threads; connections: $connections; load average before: $load_before"
count=${#names[@]}
for round in $(seq "$rounds"); do
  for k in $(seq 0 $((count - 1))); do
    i=$(( (k + round - 1) % count ))   # rotate the order of variants from round to round
    name=${names[$i]}; u=${urls[$i]}; pid=${pids[$i]}
    for c in $connections; do
      measure "$name" healthz "$c" "$round" "$pid" "$u/healthz"
      measure "$name" registry "$c" "$round" "$pid" "$u$path" -H "Authorization: Bearer $token"
    done
    measure "$name" registry-basic "$first_c" "$round" "$pid" "$u$path" -H "Authorization: Basic $basic"
    measure "$name" auth-only "$first_c" "$round" "$pid" "$u/healthz" -H "Authorization: Bearer $token"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

check_security || exit 1
echo "   checks after the load: credentials still enforced"

echo
echo "== summary: median over $rounds round(s); 'of healthz' = median of the per-round ratios to /healthz at the same connections"
echo "   machine: $(nproc) cores, $(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $load_before before, $load_after after"
echo "   client (wrk, $threads thread) and server share these cores."
awk -v target=20000 -v cores="$(nproc)" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    key = $1 SUBSEP $2 SUBSEP $3
    if (!(key in rps)) { order[++n] = key }
    rps[key] = rps[key] " " $5; p50[key] = p50[key] " " $6; p99[key] = p99[key] " " $7; errors += $8
    server[key] = server[key] " " $9; client[key] = client[key] " " $10
    at[$1, $2, $3, $4] = $5
    if ($2 == "healthz") { ceiling[$1, $3, $4] = $5 }
  }
  END {
    printf "   %-10s %-15s %5s %9s %8s %8s %10s %10s %9s %10s\n", "variant", "endpoint", "conns", "req/s", "p50 ms", "p99 ms", "of healthz",
      "server us", "wrk us", "2-core est"
    for (k = 1; k <= n; k++) {
      split(order[k], f, SUBSEP)
      ratios = ""
      for (key2 in at) {
        split(key2, g, SUBSEP)
        if (g[1] == f[1] && g[2] == f[2] && g[3] == f[3] && ((f[1], f[3], g[4]) in ceiling) && ceiling[f[1], f[3], g[4]] > 0) {
          ratios = ratios " " at[key2] / ceiling[f[1], f[3], g[4]]
        }
      }
      ratio = ratios == "" ? "" : sprintf("%.2f", median(ratios))
      m = median(rps[order[k]]); s = median(server[order[k]]); c = median(client[order[k]])
      printf "   %-10s %-15s %5s %9.0f %8.2f %8.2f %10s %10.1f %9.1f %10.0f\n", f[1], f[2], f[3], m, median(p50[order[k]]), median(p99[order[k]]), ratio,
        s, c, (s + c > 0 ? cores * 1e6 / (s + c) : 0)
      if (f[2] == "registry" && m > best[f[1]]) { best[f[1]] = m }
    }
    print "   server us, wrk us: CPU time (user + system) per request; 2-core est: the requests/s these CPU costs allow when"
    print "   client and server have all " cores " cores to themselves (what the machine would do without other load)."
    for (v in best) {
      printf "   target (>= %d req/s on GET /registry/schemas/ids/{id}), %s: %s (best median %.0f req/s measured)\n", target, v, (best[v] >= target ? "met" : "NOT met"), best[v]
    }
    if (errors > 0) { printf "   %d non-2xx responses or socket errors during the runs\n", errors; exit 1 }
  }' "$results"
