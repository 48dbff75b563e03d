#!/usr/bin/env bash
# Puts Debian's promtool, amtool, shellcheck and kubectl (for `kubectl kustomize`) in .tools/debian/bin.
# The packages are only unpacked (dpkg -x): no service is installed or started, nothing needs root but apt-get update.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="$root/.tools/debian"
pkgs=(prometheus prometheus-alertmanager shellcheck kubernetes-client)
bins=(promtool amtool shellcheck kubectl)

have_all() {
  local b
  for b in "${bins[@]}"; do
    "$dest/bin/$b" --help >/dev/null 2>&1 || return 1
  done
}

if have_all; then
  exit 0
fi

command -v apt-get >/dev/null || { echo "tools.sh: apt-get not found; this needs a Debian-based machine" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# A fresh machine may have no package lists yet; fetch them once, then retry.
if ! apt-get download "${pkgs[@]}" >download.log 2>&1; then
  echo "tools.sh: refreshing apt package lists" >&2
  apt-get update >/dev/null
  apt-get download "${pkgs[@]}" >download.log 2>&1 || { cat download.log >&2; exit 1; }
fi

rm -rf "$dest"
mkdir -p "$dest/root" "$dest/bin"
for deb in ./*.deb; do
  dpkg -x "$deb" "$dest/root"
  # shellcheck disable=SC2016 # dpkg-deb's own ${field} syntax, not the shell's
  dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb" >>"$dest/versions.txt"
done
for b in "${bins[@]}"; do
  ln -sf "../root/usr/bin/$b" "$dest/bin/$b"
done

have_all || { echo "tools.sh: unpacked tools do not run (missing shared libraries?)" >&2; exit 1; }
echo "tools.sh: unpacked into .tools/debian: $(paste -sd',' "$dest/versions.txt")" >&2
