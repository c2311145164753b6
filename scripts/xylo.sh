#!/usr/bin/env bash
# Installs Rockpool and compiles xylosim (Xylo IMU's bit-accurate simulator) into the venv given
# as $1 (default .venv). xylosim is a source distribution: it needs g++ (Debian package), which is
# installed when missing and running as root. Without g++ it prints the command and continues
# (the xylo backend then exits 3 naming the install command; its tests skip).
set -euo pipefail
VENV=${1:-.venv}
PIP="$VENV/bin/pip -q --disable-pip-version-check"
if ! command -v g++ >/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "installing g++ (Debian package) to compile xylosim..." >&2
    apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ >&2
  else
    echo "note: g++ is missing; the Xylo IMU target needs it: sudo apt-get install g++ && make install" >&2
    exit 0
  fi
fi
$PIP install -r requirements-xylo-build.txt 2>&1 | grep -v "is ignored: it is neither" || true
$PIP install --no-deps --no-build-isolation -r requirements-xylo.txt 2>&1 | grep -v "is ignored: it is neither" || true
"$VENV/bin/python" -c "import xylosim, rockpool" || { echo "Xylo install failed: see the pip output above" >&2; exit 1; }
