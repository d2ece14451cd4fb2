#!/usr/bin/env bash
# Installs the Debian packages the local mesh and the tests use, when missing (as root, with apt-get), then checks
# again. Exits non-zero naming every tool that is still missing: as root scripts/test.sh then fails the run, since
# the tests needing it would only skip.
set -uo pipefail
# tool:package — ip/ss (iproute2), iptables, curl, nsenter/runuser (util-linux), nghttp (HTTP/2 interop), dig (DNS
# proxy), openssl (CA cross-checks), tcpdump (only TLS crosses the node bridge).
tools=(ip:iproute2 ss:iproute2 iptables:iptables curl:curl nsenter:util-linux runuser:util-linux nghttp:nghttp2-client
  dig:dnsutils openssl:openssl tcpdump:tcpdump)

missing() {
  local tool
  for tool in "${tools[@]}"; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || echo "${tool%%:*}:${tool##*:}"
  done
  # HBONE interop tests drive Debian's python3-h2 (always /usr/bin/python3: a pyenv python3 on PATH lacks it).
  [ -x /usr/bin/python3 ] || echo "/usr/bin/python3:python3"
  [ -x /usr/bin/python3 ] && ! /usr/bin/python3 -c 'import h2' 2>/dev/null && echo "python3-h2:python3-h2"
  return 0
}

packages() { local m; for m in "$@"; do echo "${m##*:}"; done | sort -u | paste -sd ' '; }

mapfile -t need < <(missing)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing: $(packages "${need[@]}")"
  # shellcheck disable=SC2046 # one word per package
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(packages "${need[@]}") >/dev/null \
    || echo "prereqs: apt-get install $(packages "${need[@]}") failed" >&2
  mapfile -t need < <(missing)
  [ ${#need[@]} -eq 0 ] && exit 0
fi
for m in "${need[@]}"; do
  echo "prereqs: missing ${m%%:*} (Debian package ${m##*:})" >&2
done
echo "prereqs: install them (as root: apt-get install $(packages "${need[@]}")); without root the local mesh runs without capture" >&2
exit 1
