#!/bin/sh
# What the tests drive beyond Python, each a real client of what protocolc writes:
#
#   program                 Debian package            used by
#   /usr/bin/chromium       chromium                  the accessibility tests (Playwright drives it headless and
#                                                     runs axe-core; Playwright's own browser download is never used)
#   cmark-gfm               cmark-gfm                 GitHub's Markdown renderer, for protocol.md
#   java                    default-jre-headless      runs the W3C Nu HTML checker (npm vnu-jar) on protocol.html
#   soffice (with Writer)   libreoffice-writer-nogui  opens and converts documents headless (the DOCX checks)
#   pdftoppm                poppler-utils             renders PDF pages to images
#
# and from the npm registry, pinned in package.json and package-lock.json, installed into node_modules/ by
# `npm ci --ignore-scripts` (vnu-jar's install script would download a Java runtime from GitHub; Debian's is used):
# axe-core and vnu-jar.
#
# Installs what is missing when run as root; otherwise prints the exact commands and fails, like
# scripts/system-deps.sh. `make test` runs it first, so CI (CI=true, where these tests fail rather than skip
# when a tool is missing) never lacks one. tests/test_tools.py checks that each one is there and works.
set -eu
cd "$(dirname "$0")/.."

# program:package pairs: the Debian package is installed when the program (a command, or a file given by its full
# path) is not found. LibreOffice's `soffice` comes with any of its parts; Writer is the library libswlo.so.
programs="/usr/bin/chromium:chromium cmark-gfm:cmark-gfm java:default-jre-headless soffice:libreoffice-writer-nogui
/usr/lib/libreoffice/program/libswlo.so:libreoffice-writer-nogui pdftoppm:poppler-utils"
npm_files="node_modules/axe-core/axe.min.js node_modules/vnu-jar/build/dist/vnu.jar"

packages=""
for pair in $programs; do
    program=${pair%%:*}
    package=${pair#*:}
    case $program in
        /*) [ -e "$program" ] && continue ;;
        *) command -v "$program" >/dev/null 2>&1 && continue ;;
    esac
    case " $packages " in
        *" $package "*) ;;
        *) packages="$packages $package" ;;
    esac
done
need_npm=""
for file in $npm_files; do
    [ -f "$file" ] || need_npm=yes
done
# A package-lock.json changed since the last `npm ci` (a new pin) also needs one.
if [ -z "$need_npm" ] && [ package-lock.json -nt node_modules/.package-lock.json ]; then
    need_npm=yes
fi
if [ -n "$need_npm" ] && ! command -v npm >/dev/null 2>&1; then
    packages="$packages npm"
fi
[ -z "$packages$need_npm" ] && exit 0

if [ -n "$packages" ] && ! command -v apt-get >/dev/null 2>&1; then
    echo "test-deps: not a Debian-based system; install these (Debian's names):$packages; then run: npm ci --ignore-scripts"
    exit 1
fi

if [ "$(id -u)" != 0 ]; then
    echo "test-deps: the tests need what is below; run:"
    [ -z "$packages" ] || echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$packages"
    [ -z "$need_npm" ] || echo "  npm ci --ignore-scripts"
    exit 1
fi

if [ -n "$packages" ]; then
    echo "test-deps: installing$packages"
    export DEBIAN_FRONTEND=noninteractive
    # Slim Debian images leave out man pages; Java's post-install script fails without this folder.
    mkdir -p /usr/share/man/man1
    apt-get update -qq
    # shellcheck disable=SC2086  # one word per package
    apt-get install -y -qq --no-install-recommends $packages >/dev/null
fi
if [ -n "$need_npm" ]; then
    echo "test-deps: npm ci (axe-core and vnu-jar as pinned in package-lock.json)"
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
