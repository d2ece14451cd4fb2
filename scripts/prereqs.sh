#!/usr/bin/env bash
# Installs the Debian packages the local mesh and the tests use, when missing (needs root; otherwise says what to install).
set -uo pipefail
need=()
for tool in ip:iproute2 iptables:iptables curl:curl nsenter:util-linux nghttp:nghttp2-client dig:dnsutils python3:python3; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
# HBONE interop tests drive Debian's python3-h2 (always /usr/bin/python3: a pyenv python3 on PATH lacks it);
# tcpdump shows that only TLS crosses the node bridge.
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import h2' 2>/dev/null || need+=(python3-h2)
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing: ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || {
    echo "prereqs: apt-get install ${need[*]} failed" >&2; exit 1; }
else
  echo "prereqs: missing ${need[*]} — install them (as root: apt-get install ${need[*]}); without root the local mesh runs without capture" >&2
fi
