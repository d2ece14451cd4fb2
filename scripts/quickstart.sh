#!/usr/bin/env bash
# Starts a local mesh cluster from examples/quickstart: one control member and two ztunnel (node) members as
# separate processes on loopback, then prints `meshctl cluster show`.
#   scripts/quickstart.sh        build, start, show        scripts/quickstart.sh down    stop everything
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
state="$root/.local/quickstart"
manifests="${MANIFESTS:-$root/examples/quickstart}"
bin="$root/src"
meshctl() { dotnet "$bin/Mesh.Cli/bin/Release/net10.0/meshctl.dll" "$@"; }

stop() {
  [ -d "$state" ] || return 0
  for pidfile in "$state"/*.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

if [ "${1:-up}" = "down" ]; then stop; echo "quickstart mesh stopped"; exit 0; fi
command -v dotnet >/dev/null || { echo "quickstart: the .NET 10 SDK (dotnet) is required" >&2; exit 2; }
[ -d "$manifests" ] || { echo "quickstart: manifest directory '$manifests' does not exist" >&2; exit 2; }
for pidfile in "$state"/*.pid; do
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "quickstart: a quickstart mesh is already running; run 'scripts/quickstart.sh down' first" >&2; exit 2
  fi
done
for port in 4053 4054 4055 9110 9111 9112; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "quickstart: port $port is already in use" >&2; exit 2
  fi
done

echo "building (Release)..."
dotnet build "$root/MeshActors.sln" -c Release -v quiet -nologo >"$root/.local-build.log" 2>&1 \
  || { cat "$root/.local-build.log" >&2; echo "quickstart: build failed" >&2; exit 1; }
rm -f "$root/.local-build.log"
mkdir -p "$state"

seeds=(--Mesh:Seeds:0=127.0.0.1:4053)
common=(--Mesh:DownAfter=00:00:05)
start() { # name dll remoting-port admin-port args...
  local name=$1 dll=$2 port=$3 admin=$4; shift 4
  nohup dotnet "$dll" --Mesh:Name="$name" --Mesh:Port="$port" --Mesh:AdminPort="$admin" "${seeds[@]}" "${common[@]}" "$@" \
    >"$state/$name.log" 2>&1 &
  echo $! >"$state/$name.pid"
}
start control-0 "$bin/Mesh.Control/bin/Release/net10.0/mesh-control.dll" 4053 9110 \
  --Mesh:Control:Manifests="$manifests" --Mesh:Control:Nodes=node-0,node-1
start node-0 "$bin/Mesh.Node/bin/Release/net10.0/mesh-node.dll" 4054 9111
start node-1 "$bin/Mesh.Node/bin/Release/net10.0/mesh-node.dll" 4055 9112

echo "waiting for 3 members to be up..."
for _ in $(seq 1 120); do
  up=$(meshctl 127.0.0.1:9110 cluster show 2>/dev/null | grep -c "| up |" || true)
  [ "$up" = "3" ] && break
  for name in control-0 node-0 node-1; do
    kill -0 "$(cat "$state/$name.pid")" 2>/dev/null || { echo "quickstart: $name exited; log:" >&2; tail -20 "$state/$name.log" >&2; stop; exit 1; }
  done
  sleep 0.5
done
[ "${up:-0}" = "3" ] || { echo "quickstart: members did not come up in 60 s; logs in $state" >&2; stop; exit 1; }

meshctl 127.0.0.1:9110 cluster show
echo
echo "Workloads held by node-0's ztunnel:"
for _ in $(seq 1 40); do meshctl 127.0.0.1:9111 zc workloads -o json 2>/dev/null | grep -q '"name"' && break; sleep 0.25; done
meshctl 127.0.0.1:9111 zc workloads
echo
echo "Logs: $state/*.log   Try: scripts/meshctl 127.0.0.1:9110 cluster tail   Stop: scripts/quickstart.sh down"
