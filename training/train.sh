#!/usr/bin/env bash
# npm run train [-- extra gvt.train options]
# Retrains GVT-tiny from scratch (deterministic for SEED, default 0), exports it,
# quantizes it and writes the package to public/models/gvt-tiny/ (the model card
# README.md there is kept). Intermediate files go to training/runs/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=${SEED:-0}
RUN=${RUN:-training/runs/gvt-tiny-seed$SEED}
OUT=${OUT:-public/models/gvt-tiny}
# Passive OpenMP waiting: spinning worker threads took the CPU from the Python code that builds
# stage 2's batches between small ops (training/README.md has the figures). Results are the same.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} PYTHONPATH=training
start=$(date +%s)
# The shipped recipe: clean scenes learnt at 112 px, everything after at 160 px; stage 2 runs the frozen ViT
# batch by batch instead of caching every image's tokens first (training/README.md, "Input size").
/usr/bin/python3 -m gvt.train --run "$RUN" --seed "$SEED" --image-size 160 --s1-clean-size 112 --s1-world-steps 2500 \
  --s2-live-features "$@"
# The scene check's threshold, from a calibration of this recipe's seed-0 run on scenes and non-scenes no
# evaluation uses (training/README.md, "The scene check's threshold").
/usr/bin/python3 -m gvt.ship --run "$RUN" --out "$OUT" --vision int8 --lm int8 --scene-threshold 0.2
echo "train.sh: $RUN -> $OUT in $(( $(date +%s) - start )) s"
echo "score it: npm run eval:suite -- --model $OUT"
