#!/bin/sh
# What the accessibility tests (tests/test_accessibility.py) need beyond Python: Debian's Chromium at
# /usr/bin/chromium, which Playwright drives headless (Playwright's own browser download is never used), and
# axe-core from the npm registry, pinned in package.json and package-lock.json, installed into node_modules/ by
# `npm ci`. Installs what is missing when run as root; otherwise prints the exact commands and fails, like
# scripts/system-deps.sh. `make test` runs it first, so CI never skips those tests.
set -eu
cd "$(dirname "$0")/.."

chromium=/usr/bin/chromium
axe=node_modules/axe-core/axe.min.js

need_chromium=""
[ -x "$chromium" ] || need_chromium=yes
need_axe=""
[ -f "$axe" ] || need_axe=yes
[ -z "$need_chromium$need_axe" ] && exit 0

packages=""
[ -z "$need_chromium" ] || packages="chromium"
if [ -n "$need_axe" ] && ! command -v npm >/dev/null 2>&1; then
    packages="${packages:+$packages }npm"
fi

if [ -n "$packages" ] && ! command -v apt-get >/dev/null 2>&1; then
    echo "test-deps: not a Debian-based system; install Chromium as $chromium and Node.js with npm, then run: npm ci"
    exit 1
fi

if [ "$(id -u)" != 0 ]; then
    echo "test-deps: the accessibility tests need$([ -z "$packages" ] || echo " $packages and") axe-core; run:"
    [ -z "$packages" ] || echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $packages"
    [ -z "$need_axe" ] || echo "  npm ci"
    exit 1
fi

if [ -n "$packages" ]; then
    echo "test-deps: installing $packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086  # one word per package
    apt-get install -y -qq --no-install-recommends $packages >/dev/null
fi
if [ -n "$need_axe" ]; then
    echo "test-deps: npm ci (axe-core as pinned in package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
fi
