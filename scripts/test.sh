#!/usr/bin/env bash
# Runs the whole test suite exactly as CI does. Installs the Debian packages tests need when missing (as root).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
need=()
for tool in ip:iproute2 curl:curl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "test.sh: missing ${need[*]} (install them, or run as root to have them installed)" >&2
  fi
fi
log="$(mktemp)"
dotnet test "$root/MeshActors.sln" -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# One closing line over all test assemblies.
awk '/(Passed|Failed)! +- +Failed:/ { gsub(",", ""); f += $4; p += $6; s += $8 } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
