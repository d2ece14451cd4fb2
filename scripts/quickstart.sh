#!/usr/bin/env bash
# The main job: a local ambient mesh from examples/quickstart — pods as network namespaces with transparent
# capture by the node's ztunnel (as root), or on loopback addresses without capture (not root).
#   scripts/quickstart.sh            install prerequisites, build, `meshctl local up -f examples/quickstart`
#   scripts/quickstart.sh down       `meshctl local down`
# Extra arguments go to `meshctl local up` (e.g. --nodes 3, --foreground).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
command -v dotnet >/dev/null || { echo "quickstart: the .NET 10 SDK (dotnet) is required" >&2; exit 2; }
meshctl="$root/src/Mesh.Cli/bin/Release/net10.0/meshctl.dll"

if [ "${1:-}" = "down" ]; then
  shift
  [ -f "$meshctl" ] || { echo "quickstart: nothing built, nothing to stop"; exit 0; }
  exec dotnet "$meshctl" local down "$@"
fi

# Without root the mesh runs without capture, so missing tools only matter as root.
"$root/scripts/prereqs.sh" || [ "$(id -u)" != 0 ] || exit 1
echo "building (Release)..."
dotnet build "$root/MeshActors.sln" -c Release -v quiet -nologo >"$root/.build.log" 2>&1 \
  || { cat "$root/.build.log" >&2; echo "quickstart: build failed" >&2; exit 1; }
rm -f "$root/.build.log"
dotnet "$meshctl" local up -f "$root/examples/quickstart" "$@"
status=$?
[ $status -eq 0 ] && echo "(meshctl is $root/scripts/meshctl — e.g. alias meshctl=$root/scripts/meshctl)"
exit $status
