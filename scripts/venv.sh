#!/bin/sh
# Usage: sh scripts/venv.sh PYTHON VENV [test]
#
# Makes sure VENV is a virtual environment of Python 3.11 or newer with protocolc installed (editable) in it:
# only what protocolc needs at run time, or with `test` also the test extra (`.[test]`). `make build` and
# `make test` call it.
#
# - PYTHON is checked first: if it is missing or older than 3.11 this prints one line and fails, before anything
#   is created or installed.
# - A VENV made by another Python that is too old, or whose interpreter has gone (an upgraded or removed Python),
#   is deleted and made again, so one wrong `make build PYTHON=...` does not break every later build.
# - pip runs only when pyproject.toml has changed since the last install (a stamp file per extra in VENV).
set -eu
python=$1
venv=$2
extra=${3:-}
project=$(cd "$(dirname "$0")/.." && pwd)

# Exit status 0 and prints "3.11.7" when the interpreter is new enough; 1 and prints its version when too old.
version_check='import sys; print("%d.%d.%d" % sys.version_info[:3]); sys.exit(sys.version_info < (3, 11))'

if ! command -v "$python" >/dev/null 2>&1; then
    echo "make: no Python called '$python' was found; protocolc needs Python 3.11 or newer: install it, or name it with: make build PYTHON=/path/to/python3.11" >&2
    exit 1
fi
if ! found=$("$python" -c "$version_check" 2>/dev/null); then
    if [ -n "$found" ]; then
        echo "make: protocolc needs Python 3.11 or newer, but '$python' is Python $found; name a newer one with: make build PYTHON=python3.11" >&2
    else
        echo "make: '$python' does not run as Python; protocolc needs Python 3.11 or newer: name one with: make build PYTHON=python3.11" >&2
    fi
    exit 1
fi

if [ -e "$venv" ] || [ -L "$venv" ]; then
    if ! had=$("$venv/bin/python" -c "$version_check" 2>/dev/null); then
        if [ -n "$had" ]; then
            why="was made by Python $had, older than 3.11"
        else
            why="has no working Python (the one that made it may have been upgraded or removed)"
        fi
        echo "make: $venv $why; making it again with $python (Python $found)"
        rm -rf "$venv"
    fi
fi
if [ ! -x "$venv/bin/python" ]; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi

sum=$(cksum <"$project/pyproject.toml" | cut -d' ' -f1)
stamp="$venv/.installed-${extra:-run}-$sum"
[ -f "$stamp" ] && exit 0
if [ -n "$extra" ]; then
    echo "make: installing protocolc with its $extra extra into $venv"
    target="$project[$extra]"
else
    echo "make: installing protocolc and what it needs at run time into $venv"
    target=$project
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --editable "$target"
rm -f "$venv/.installed-${extra:-run}-"*
touch "$stamp"
