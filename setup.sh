#!/usr/bin/env bash
# The README's two commands, each setting up everything on a fresh machine first:
#
#   bash setup.sh demo    set up, then build the course and grade a demo class (the main job)
#   bash setup.sh test    set up, then run the tests (what .ci/run runs)
#
# Set-up: the system packages the course uses (Debian's Fashion-MNIST, bubblewrap for the grading
# sandbox, Chromium for the browser test), installed with apt where the machine has it and the user
# may (root or sudo); then the Python environment .venv from requirements.txt.  Extra arguments
# go to the job (e.g. `bash setup.sh test -k validate`).
set -euo pipefail
cd "$(dirname "$0")"
job=${1:-}
case "$job" in
  demo|test) shift ;;
  *) echo "usage: bash setup.sh demo|test [arguments for the job]" >&2; exit 2 ;;
esac

# --- system packages ---------------------------------------------------------
packages=(dataset-fashion-mnist bubblewrap chromium)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
if command -v dpkg-query >/dev/null; then
  for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
else
  for c in bwrap chromium; do command -v "$c" >/dev/null || missing+=("$c"); done
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null && sudo="sudo"; }
  if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; }; then
    echo "setup: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: this machine lacks ${missing[*]}: install bubblewrap (the grading sandbox) and Chromium" \
         "(the browser test) with your system's package manager, and put Fashion-MNIST's four" \
         "*-ubyte.gz files in ./data or \$COURSE_DATA." >&2
    if [ "${CI:-}" = true ]; then exit 1; fi
  fi
fi

# --- the Python environment ----------------------------------------------------
stamp=.venv/.installed
wanted=$(cat requirements.txt pyproject.toml course/jupyter/pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q -r requirements.txt
  echo "$wanted" > "$stamp"
fi

# --- the job -------------------------------------------------------------------
case "$job" in
  demo) exec .venv/bin/python -m course demo "$@" ;;
  test) exec .venv/bin/python -m pytest "$@" ;;
esac
