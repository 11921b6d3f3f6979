#!/usr/bin/env bash
# Brief every article of the faithfulness set, one at a time, with finbrief frozen at commit 3e15ffa
# and the default local model (CPU). Re-running skips articles whose brief JSON already exists.
#   git -C /work/main worktree add /work/wt-faith 3e15ffa
#   nohup eval/faithfulness/make_briefs.sh > /tmp/faith_briefs.log 2>&1 &
# Run it ONE brief at a time, when nothing else needs the CPU (2 cores).
# Article list: eval/faithfulness/articles/*.txt, eval/causes-challenge/*.txt,
# eval/causes-holdout/*.txt, /work/shared/seeds/*.txt (ids: file stem; seeds get "s" + first 3 digits).
set -u
MAIN=${MAIN:-/work/main}
WT=${WT:-/work/wt-faith}
PY=${PY:-$MAIN/.venv/bin/python}
SEEDS=${SEEDS:-/work/shared/seeds}
OUT=$MAIN/eval/faithfulness/briefs
mkdir -p "$OUT"
articles=()
for f in "$MAIN"/eval/causes-challenge/*.txt "$MAIN"/eval/causes-holdout/*.txt "$SEEDS"/*.txt "$MAIN"/eval/faithfulness/articles/*.txt; do
  [ -f "$f" ] && articles+=("$f")
done
for f in "${articles[@]}"; do
  stem=$(basename "$f" .txt)
  case "$f" in "$SEEDS"/*) id="s${stem:0:3}";; *) id=$stem;; esac
  # skip articles already briefed (or failed); a {"skipped": ...} placeholder means "not run yet"
  if [ -s "$OUT/$id.json" ] && ! grep -q '"skipped"' "$OUT/$id.json"; then echo "skip $id"; continue; fi
  echo "$(date +%T) start $id ($f)"
  t0=$(date +%s)
  (cd "$WT" && PYTHONPATH="$WT/service" "$PY" -m finbrief.cli brief "$f" > "$OUT/$id.json.tmp" 2> "$OUT/$id.err")
  rc=$?
  if [ $rc -eq 0 ]; then
    mv "$OUT/$id.json.tmp" "$OUT/$id.json"; [ -s "$OUT/$id.err" ] || rm -f "$OUT/$id.err"
  else
    # keep the failure: the error output (and any stdout) as an error JSON
    "$PY" - "$OUT/$id.json.tmp" "$OUT/$id.err" "$rc" > "$OUT/$id.json" <<'PYEOF'
import json, sys
out, err, rc = sys.argv[1:4]
print(json.dumps({"error": True, "exit_code": int(rc),
                  "stdout": open(out, encoding="utf-8", errors="replace").read()[-4000:],
                  "stderr": open(err, encoding="utf-8", errors="replace").read()[-4000:]}, ensure_ascii=False, indent=2))
PYEOF
    rm -f "$OUT/$id.json.tmp"
  fi
  echo "$(date +%T) done $id rc=$rc $(( $(date +%s) - t0 ))s"
done
echo ALLDONE
