#!/usr/bin/env bash
# Runs the whole test suite exactly as CI does. Installs the Debian packages tests need when missing (as root).
# Tests that need root skip with a visible reason when run as another user.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/prereqs.sh" || exit 1
dotnet build "$root/MeshActors.sln" -c Release -nologo -v quiet || exit 1
log="$(mktemp)"
# One test project at a time (-m:1): the multi-process and netns tests measure recovery times and must not share
# the 2 cores with other test assemblies.
dotnet test "$root/MeshActors.sln" -c Release --no-build -m:1 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# One closing line over all test assemblies.
awk '/(Passed|Failed)! +- +Failed:/ { gsub(",", ""); f += $4; p += $6; s += $8 } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
