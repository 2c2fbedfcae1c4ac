#!/usr/bin/env bash
# Install the Debian packages listed in scripts/debian-packages.txt that are not installed yet.
# Called by scripts/test.sh so that a fresh machine (and CI, via .ci/run) needs one command.
# Without root or passwordless sudo it only says what is missing: the tests that need a
# package then skip with that reason.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
while read -r pkg; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < scripts/debian-packages.txt
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "system-deps: missing Debian packages (no root to install them): ${missing[*]}" >&2; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  $SUDO apt-get update -q >/dev/null 2>&1 || true
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}
echo "system-deps: installed ${missing[*]}" >&2
