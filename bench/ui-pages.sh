#!/usr/bin/env bash
# Server time of every web UI page on the example mesh: `mesh up` (Release) on a copy of examples/retail,
# then N sequential requests per page with a signed-in cookie, timed by curl on loopback, after a warm-up.
# Prints per page and principal, in milliseconds: p50, p95 and max of the whole response (request sent to last
# byte), and p50 of the first byte (the product page streams its sample rows after the rest of the page).
#
#   bench/ui-pages.sh [REQUESTS]        (default 50 per page and principal)
set -euo pipefail

requests=${1:-50}
warmup=5
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/meshwork-ui-pages.XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== publish the CLI (Release) and copy the example mesh"
dotnet publish "$repo/src/Meshwork.Cli" -c Release -o "$work/cli" --nologo -v quiet
mesh="$work/cli/Meshwork.Cli"
mkdir -p "$work/mesh"
cp -r "$repo/examples/retail/." "$work/mesh/"
rm -rf "$work/mesh/.mesh"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url="http://127.0.0.1:$port"
echo "== mesh up on $url"
"$mesh" up "$work/mesh" --urls "$url" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 240); do
  if curl -fsS "$url/readyz" > /dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$work/server.log" >&2; exit 1; fi
  sleep 0.5
done
curl -fsS "$url/readyz" > /dev/null

pages=(
  "/"
  "/?q=cust"
  "/?domain=finance&quality=passed"
  "/products/customers.profiles"
  "/products/sales.orders"
  "/products/customers.customer_value"
  "/domains/sales"
  "/teams/team-customers"
  "/access"
  "/governance"
)

# Lines of "total first-byte" seconds in, one summary line out (nearest-rank percentiles).
summarize() {
  python3 -c '
import math, sys
rows = [line.split() for line in sys.stdin if line.strip()]
total = sorted(float(r[0]) * 1000 for r in rows)
first = sorted(float(r[1]) * 1000 for r in rows)
rank = lambda values, p: values[max(0, math.ceil(p * len(values)) - 1)]
print(f"{sys.argv[1]:<40} {sys.argv[2]:<8} {rank(total, .5):8.1f} {rank(total, .95):8.1f} {total[-1]:8.1f} {rank(first, .5):10.1f}")
' "$1" "$2"
}

printf '\n%-40s %-8s %8s %8s %8s %10s\n' "page" "as" "p50 ms" "p95 ms" "max ms" "ttfb p50"
for principal in admin mallory; do
  token=$("$mesh" token "$principal" --data "$work/mesh/.mesh" | tail -n 1)
  for page in "${pages[@]}"; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -b "meshwork_ui=$token" "$url$page")
    if [ "$status" != 200 ]; then
      echo "$page as $principal answered $status" >&2
      exit 1
    fi
    for _ in $(seq 1 "$warmup"); do curl -s -o /dev/null -b "meshwork_ui=$token" "$url$page"; done
    for _ in $(seq 1 "$requests"); do
      curl -s -o /dev/null -w '%{time_total} %{time_starttransfer}\n' -b "meshwork_ui=$token" "$url$page"
    done | summarize "$page" "$principal"
  done
done
# For comparison: the governed read the product page does for its sample rows, through the data API.
for principal in admin mallory; do
  token=$("$mesh" token "$principal" --data "$work/mesh/.mesh" | tail -n 1)
  read="/api/v1/datasets/customers.profiles.profiles_v1/data?format=ndjson&limit=10"
  for _ in $(seq 1 "$warmup"); do curl -s -o /dev/null -H "Authorization: Bearer $token" "$url$read"; done
  for _ in $(seq 1 "$requests"); do
    curl -s -o /dev/null -w '%{time_total} %{time_starttransfer}\n' -H "Authorization: Bearer $token" "$url$read"
  done | summarize "(API) profiles_v1 data, 10 rows" "$principal"
done
# The sign-in page, anonymous.
for _ in $(seq 1 "$warmup"); do curl -s -o /dev/null "$url/signin"; done
for _ in $(seq 1 "$requests"); do curl -s -o /dev/null -w '%{time_total} %{time_starttransfer}\n' "$url/signin"; done | summarize /signin "(none)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
