"""Writes tiny random-weight stand-ins for four Hugging Face Hub repos, in
their real file layouts, plus DIR/fixtures.json (every file's size and sha256):

  DIR/HuggingFaceTB/SmolVLM-256M-Instruct/
  DIR/HuggingFaceTB/SmolVLM-500M-Instruct/
  DIR/onnx-community/Florence-2-base-ft/
  DIR/LiquidAI/LFM2.5-VL-450M-ONNX/

  PYTHONPATH=training:tools OMP_NUM_THREADS=2 /usr/bin/python3 -m hub_fixtures.make_hub_fixtures --out DIR

(from the repository root; training/ for the gvt package, whose tokenizer and
quantizer it uses).

Deterministic: the same sources give the same bytes. See README.md here.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys

if __package__ in (None, ""):  # run as a file: PYTHONPATH=training python3 tools/hub_fixtures/make_hub_fixtures.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "hub_fixtures"

import torch  # noqa: E402

from . import florence2, lfm2_vl, smolvlm  # noqa: E402

REPOS = list(smolvlm.VARIANTS) + [florence2.REPO, lfm2_vl.REPO]


def file_list(folder):
    """[{path, size, sha256}] of every file under folder, sorted by path (POSIX separators)."""
    entries = []
    for root, _, files in os.walk(folder):
        for name in files:
            full = os.path.join(root, name)
            with open(full, "rb") as f:
                data = f.read()
            rel = os.path.relpath(full, folder).replace(os.sep, "/")
            entries.append({"path": rel, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    return sorted(entries, key=lambda e: e["path"])


def build_all(out):
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    os.makedirs(out, exist_ok=True)
    summary, manifest = {}, {"generator": "tools/hub_fixtures/make_hub_fixtures.py", "repos": {}}
    for repo in REPOS:
        folder = os.path.join(out, *repo.split("/"))
        shutil.rmtree(folder, ignore_errors=True)
        builders = {florence2.REPO: florence2.build, lfm2_vl.REPO: lfm2_vl.build}
        summary[repo] = builders[repo](folder) if repo in builders else smolvlm.build(folder, repo)
        files = file_list(folder)
        manifest["repos"][repo] = {"files": files, "total_size": sum(f["size"] for f in files)}
    with open(os.path.join(out, "fixtures.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return manifest, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output folder (repo folders inside are replaced)")
    args = ap.parse_args()
    manifest, summary = build_all(args.out)
    for repo, entry in manifest["repos"].items():
        counts = summary[repo]["q4_matmuls"]
        print(f"{repo}: {len(entry['files'])} files, {entry['total_size']} bytes; q4 MatMuls {counts}")


if __name__ == "__main__":
    main()
