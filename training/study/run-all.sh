#!/usr/bin/env bash
# Every row of the tokenizer study in order (about 8 CPU-hours on 2 cores; training/README.md,
# "The tokenizer study"). Each row is one `npm run study -- ROW`; a stopped run goes on from its
# last checkpoint when started again, and finished rows are skipped in a second.
set -euo pipefail
cd "$(dirname "$0")/../.."
for row in clip gvt mae patch supervised eva dino clip-tuned gvt-tuned mae-4x dino-4x; do
  npm run --silent study -- "$row" "$@"
done
PYTHONPATH=training /usr/bin/python3 -m gvt.study.table
