#!/usr/bin/env bash
# The paper's finding in miniature (training/README.md): patch-level vs image-level
# stage-1 targets, frozen vs fine-tuned tokenizer in stage 2. Short runs on the
# same 20 000 scenes (seed 0): stage 1 200 steps, stage 2 300 steps on 6 000
# images, scored in PyTorch on 400 fresh questions (100 a task).
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} PYTHONPATH=training
R=training/runs/ablation
mkdir -p $R
COMMON="--images 20000 --data-cache training/runs/data-s0-20000-112.pkl --s1-steps 200 --s2-steps 300 --s2-images 6000 --eval-n 400"
py() { /usr/bin/python3 -m gvt.train "$@" | grep -E '"phase": "(eval|trained)"'; }
py --run $R/patch-frozen $COMMON --s1-targets patch
py --run $R/image-frozen $COMMON --s1-targets image
py --run $R/patch-finetuned $COMMON --stage1 $R/patch-frozen/stage1.pt --finetune-vit
py --run $R/image-finetuned $COMMON --stage1 $R/image-frozen/stage1.pt --finetune-vit
for v in patch-frozen image-frozen patch-finetuned image-finetuned; do echo "$v $(cat $R/$v/eval.json | tr -d '\n ')"; done
