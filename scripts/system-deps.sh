#!/bin/sh
# Check the Debian packages protocolc needs beyond Python: Pango (WeasyPrint's
# text layout), HarfBuzz's subsetter (small PDFs with reproducible bytes) and the
# DejaVu fonts the stylesheet names. Installs what is missing when run as root;
# otherwise prints the exact command and fails.
set -eu
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "system-deps: not a Debian-based system; install Pango >= 1.44, HarfBuzz (with hb-subset) and the DejaVu fonts with your package manager"
    exit 0
fi
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "system-deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "system-deps: missing Debian packages:$missing"
    echo "run:  sudo apt-get update && sudo apt-get install -y$missing"
    exit 1
fi
