#!/usr/bin/env bash
# The paper's finding in miniature (training/README.md). Short runs on the same
# 20 000 scenes (seed 0): stage 2 300 steps on 6 000 images, scored in PyTorch
# on 400 fresh questions (100 a task).
#   bash training/ablation.sh            patch-level vs image-level stage-1 targets (200 steps each),
#                                        each with the ViT frozen and fine-tuned in stage 2
#   bash training/ablation.sh STAGE1.pt  frozen vs fine-tuned from a fully trained stage 1
#                                        (e.g. training/checkpoints/gvt-tiny-seed0-stage1.pt, npm run train's)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} PYTHONPATH=training
R=training/runs/ablation
mkdir -p $R
# Stage 2 as the tables were measured (2-layer resampler, language loss only): the
# shipped recipe's group-count loss would add scene supervision beside the tokenizer.
COMMON="--images 20000 --data-cache training/runs/data-s0-20000-112.pkl --world-images 0 --scene-steps 0 --s2-template 1 --s2-off-topic 0
  --s1-steps 200 --s1-restart-steps 0 --s2-steps 300 --s2-images 6000 --eval-n 400
  --resampler-layers 2 --resampler-heads 4 --group-loss 0"
py() { /usr/bin/python3 -m gvt.train "$@" | grep -E '"phase": "(eval|trained)"'; }
if [ $# -eq 1 ]; then
  py --run $R/trained-frozen $COMMON --stage1 "$1"
  py --run $R/trained-finetuned $COMMON --stage1 "$1" --finetune-vit
  runs="trained-frozen trained-finetuned"
else
  py --run $R/patch-frozen $COMMON --s1-targets patch
  py --run $R/image-frozen $COMMON --s1-targets image
  py --run $R/patch-finetuned $COMMON --stage1 $R/patch-frozen/stage1.pt --finetune-vit
  py --run $R/image-finetuned $COMMON --stage1 $R/image-frozen/stage1.pt --finetune-vit
  runs="patch-frozen image-frozen patch-finetuned image-finetuned"
fi
for v in $runs; do echo "$v $(cat $R/$v/eval.json | tr -d '\n ')"; done
