#!/usr/bin/env bash
# Installs Chromium (Debian package), the headless browser the report tests render report.html in
# (tests/evaluation/test_report_browser.py). Root with apt-get installs it; otherwise a note.
set -euo pipefail
command -v chromium >/dev/null && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "installing chromium (Debian package) for the report's headless-browser test..." >&2
  apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2
else
  echo "note: chromium is not installed; the report browser test is skipped: sudo apt-get install chromium" >&2
fi
