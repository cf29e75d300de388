#!/usr/bin/env bash
# Seed the fuzz corpora with the shipped pack, the fixtures and the real filing.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/rules corpus/reports
cp ../rules/focus/cftc/*.xfoot ../examples/sec/*.xfoot ../tests/fixtures/diagnostics/*.xfoot ../tests/fixtures/fmt/*.xfoot corpus/rules/
cp ../examples/*.yaml ../examples/sec/*.yaml ../tests/fixtures/diagnostics/*.yaml corpus/reports/
find ../tests/fixtures/test_packs -name '*.xfoot' -exec cp {} corpus/rules/ \;
