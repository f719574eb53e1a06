"""training/study/results.json as the README's table, in the paper's layout: semantics (vqa,
caption) then fine-grained perception (count, identify), then the linear probes; each score with
its 95 % interval.

  PYTHONPATH=training python3 -m gvt.study.table [results.json]
"""

import json
import sys

COLUMNS = [("vqa", "VQA"), ("caption_exact", "Caption exact"), ("caption_f1", "Caption F1"), ("count", "Count"),
           ("identify", "Identify"), ("probe_image", "Probe: image"), ("probe_patch", "Probe: patch")]


def cell(row, key):
    lo_hi = row["ci95"].get(key)
    return f"{row[key]:.3f}" + (f" ({lo_hi[0]:.3f}-{lo_hi[1]:.3f})" if lo_hi else "")


def table(rows):
    head = "| tokenizer | pre-training | images | stage 2 | " + " | ".join(label for _, label in COLUMNS) + " |"
    lines = [head, "|" + " --- |" * (4 + len(COLUMNS))]
    for r in rows:
        lines.append(f"| {r['row']} | {r['method']} | {r['pretrain_images']} | {r['stage2']} | "
                     + " | ".join(cell(r, key) for key, _ in COLUMNS) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(json.load(open(sys.argv[1] if len(sys.argv) > 1 else "training/study/results.json"))))
