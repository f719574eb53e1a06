#!/usr/bin/env bash
# The whole test suite: unit and parity tests in Node, then the app in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
[ -d node_modules ] || npm ci
export OMP_NUM_THREADS=2
mkdir -p .cache
status=0
npx vitest run --reporter=default --reporter=json --outputFile=.cache/vitest.json "$@" || status=$?
node -e '
const r = JSON.parse(require("fs").readFileSync(".cache/vitest.json", "utf8"));
console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
exit $status
