#!/usr/bin/env bash
# Installs schemathesis from PyPI into a private venv ($SHOAL_CACHE/venv, default
# ~/.cache/shoal/venv) once, and prints the path of its `st` binary. A cold cache (CI) installs
# it; a warm one only checks the pinned version. Usage: e2e/security/schemathesis.sh [ensure]
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
SHOAL_CACHE=${SHOAL_CACHE:-$HOME/.cache/shoal}
VENV="$SHOAL_CACHE/venv"
ST="$VENV/bin/st"

die() {
  echo "schemathesis: $*" >&2
  exit 1
}

installed_version() {
  "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null
}

if [[ -x $ST && $(installed_version) == "$SCHEMATHESIS_VERSION" ]]; then
  echo "$ST"
  exit 0
fi

command -v python3 >/dev/null 2>&1 || die "python3 (>= 3.9) is needed: apt-get install python3 python3-venv"
mkdir -p "$SHOAL_CACHE"
(
  # Parallel suites (or two checkouts sharing the cache) install once, not on top of each other.
  exec 8>"$SHOAL_CACHE/venv.lock"
  flock 8
  if [[ -x $ST && $(installed_version) == "$SCHEMATHESIS_VERSION" ]]; then exit 0; fi
  echo "schemathesis: installing $SCHEMATHESIS_VERSION from PyPI into $VENV (first run only)" >&2
  if [[ ! -x $VENV/bin/python ]]; then
    python3 -m venv "$VENV" >&2 || die "python3 -m venv failed (apt-get install python3-venv)"
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION" >&2 || die "pip install schemathesis==$SCHEMATHESIS_VERSION failed"
) || exit 1
[[ -x $ST ]] || die "installed, but $ST is missing"
echo "$ST"
