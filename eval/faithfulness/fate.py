"""What shipped: cross a labelled item set with the fates the pipeline gave the same items (shipped
or withheld by the checks), per kind. Reads no finbrief code.

    python eval/faithfulness/fate.py eval/faithfulness/attribution3/holdout-items.jsonl \
        eval/faithfulness/attribution3/holdout-fate.json
"""

from __future__ import annotations

import collections
import json
import sys

BAD = ("unsupported", "contradicts")


def ratio(a: int, b: int) -> str:
    return f"{a}/{b}" + (f" ({a / b:.0%})" if b else "")


def main(items_path: str, fate_path: str) -> int:
    with open(items_path, encoding="utf-8") as f:
        items = [json.loads(line) for line in f if line.strip()]
    with open(fate_path, encoding="utf-8") as f:
        fate = json.load(f)
    for kind in ("all", "headline", "bullet", "evidence"):
        of = [i for i in items if kind == "all" or i["kind"] == kind]
        bad = [i for i in of if i["label"] in BAD]
        good = [i for i in of if i["label"] == "supported"]
        shipped = [i for i in of if fate[i["id"]] == "shipped"]
        held = [i for i in of if fate[i["id"]] == "withheld"]
        print(
            f"{kind:9} items {len(of):3}"
            f" | bad held back {ratio(sum(fate[i['id']] == 'withheld' for i in bad), len(bad))}"
            f" | supported held back {ratio(sum(fate[i['id']] == 'withheld' for i in good), len(good))}"
            f" | bad among shipped {ratio(sum(i['label'] in BAD for i in shipped), len(shipped))}"
            f" | not supported among shipped"
            f" {ratio(sum(i['label'] != 'supported' for i in shipped), len(shipped))}"
            f" | shipped {dict(collections.Counter(i['label'] for i in shipped))}"
            f" withheld {dict(collections.Counter(i['label'] for i in held))}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
