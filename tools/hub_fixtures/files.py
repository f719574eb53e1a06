"""Writing a repo's JSON files as the Hub repos have them (2-space indent, UTF-8, final newline)."""

import json
import os


def dump_json(folder, name, obj):
    with open(os.path.join(folder, name), "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")
