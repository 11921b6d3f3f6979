"""Write the fixed 300-segment NTREX-128 subset used in docs/QUALITY.md.

Every 6th line of newstest2019 (lines 0, 6, ..., 1794): spread over all 123 documents rather than the
first few, so no single story dominates. Usage: python benchmarks/ntrex_subset.py [../shared/eval/ntrex128]
"""

from __future__ import annotations

import sys
from pathlib import Path

STRIDE, COUNT = 6, 300
FILES = {
    "zh-CN.txt": "newstest2019-ref.zho-CN.txt",
    "zh-TW.txt": "newstest2019-ref.zho-TW.txt",
    "en.txt": "newstest2019-src.eng.txt",
}


def main() -> None:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[1] / "../shared/eval/ntrex128")
    out = Path(__file__).parents[1] / "eval" / "ntrex300"
    out.mkdir(parents=True, exist_ok=True)
    for name, original in FILES.items():
        lines = (src / original).read_text(encoding="utf-8").splitlines()
        picked = lines[::STRIDE][:COUNT]
        (out / name).write_text("\n".join(picked) + "\n", encoding="utf-8")
    print(f"wrote {COUNT} segments per file to {out}")


if __name__ == "__main__":
    main()
