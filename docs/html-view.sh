#!/usr/bin/env bash
# Regenerate docs/html-view.png, docs/outputs.md's picture of the HTML view: the shipped example
# with line 7190 one dollar too high (the README's example), checked with `--format html`, then
# a screenshot by headless Chromium (Debian's `chromium`; CROSSFOOT_CHROMIUM names another
# binary), made smaller with pngquant and optipng when they are installed.
# Usage: docs/html-view.sh    (writes target/html-view/ and docs/html-view.png)
set -euo pipefail
cd "$(dirname "$0")/.."
browser=${CROSSFOOT_CHROMIUM:-$(command -v chromium || command -v chromium-browser \
  || command -v google-chrome || true)}
if [ -z "$browser" ]; then
  echo "html-view: no Chromium binary; install Debian's chromium (apt-get install chromium)" >&2
  exit 2
fi
work=target/html-view
mkdir -p "$work"
sed 's/^  7190: 198161467 /  7190: 198161468 /' examples/hsbc-2020-07.yaml > "$work/hsbc-2020-07.yaml"
grep -q '^  7190: 198161468 ' "$work/hsbc-2020-07.yaml"
status=0
cargo run --quiet -- check --color never --format html --output "$work/hsbc-2020-07.html" \
  rules/focus "$work/hsbc-2020-07.yaml" > /dev/null || status=$?
if [ "$status" -ne 1 ]; then
  echo "html-view: check exited $status, expected 1 (one line off)" >&2
  exit 2
fi
"$browser" --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
  --user-data-dir="$work/profile" --window-size=1280,1600 \
  --screenshot="$PWD/$work/html-view.png" "file://$PWD/$work/hsbc-2020-07.html" 2> /dev/null
png=docs/html-view.png
if command -v pngquant > /dev/null; then
  pngquant --quality 60-85 --speed 1 --strip --force --output "$png" "$work/html-view.png"
else
  cp "$work/html-view.png" "$png"
fi
if command -v optipng > /dev/null; then
  optipng -quiet -o5 -strip all "$png"
fi
echo "wrote $png ($(wc -c < "$png") bytes) from $work/hsbc-2020-07.html"
