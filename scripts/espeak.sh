#!/usr/bin/env bash
# Installs espeak-ng (Debian package), which synthesises the spoken_digits dataset offline.
# A no-op when it is already installed; as non-root it prints the command to run and continues
# (spoken_digits then fails with exit code 3 and the same command).
set -euo pipefail
command -v espeak-ng >/dev/null && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "installing espeak-ng (Debian package) for the spoken_digits dataset..." >&2
  apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng >&2
else
  echo "note: espeak-ng is not installed; spoken_digits needs it: sudo apt-get install espeak-ng" >&2
fi
