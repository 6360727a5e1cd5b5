#!/usr/bin/env bash
# A/B of two commits on the same machine, data size and load: builds BASE and HEAD (any git
# revisions) from `git archive`, then runs this tree's bench/run.sh against each in the order
# A B B A (ROUNDS pairs, default 1), every run on a freshly seeded library of the same size, and
# prints each row's requests/s per run and the ratio HEAD/BASE (mean of HEAD's runs over mean of
# BASE's). The same run.sh drives both builds, so the rows and the load are identical.
#   bench/ab.sh 87c7771 HEAD
#   DB=postgres ONLY=PATCH WEBHOOK=1 bench/ab.sh 87c7771 HEAD
# DB (sqlite), ENTRIES (200,000), DURATION (10 s), WARMUP (5 s), ONLY (rows whose label contains it; 'PATCH|import' for two) and
# WEBHOOK (1: one webhook subscribed to every update, for a build that has webhooks; a build from
# before the event log runs without) go to run.sh.
source "$(dirname "$0")/lib.sh"
need git wrk curl python3
[ $# -eq 2 ] || { echo "usage: bench/ab.sh BASE HEAD (git revisions)" >&2; exit 2; }
export DB=${DB:-sqlite} ENTRIES=${ENTRIES:-200000} DURATION=${DURATION:-10} ONLY=${ONLY:-} WEBHOOK=${WEBHOOK:-}
ROUNDS=${ROUNDS:-1}

prepare() { # prepare NAME REV: the revision's source and its Release build under $WORK/NAME
  local name=$1 rev=$2
  git -C "$ROOT" rev-parse --verify --quiet "$rev^{commit}" >/dev/null || { echo "bench: $rev is not a commit" >&2; exit 2; }
  mkdir -p "$WORK/$name/src"
  git -C "$ROOT" archive "$rev" | tar -x -C "$WORK/$name/src"
  echo "bench: building $name = $rev ($(git -C "$ROOT" rev-parse --short "$rev"))" >&2
  dotnet publish "$WORK/$name/src/src/MediaLibrary" -c Release -o "$WORK/$name/app" -nologo -v quiet >&2
}
prepare a "$1"
prepare b "$2"

order=()
for _ in $(seq 1 "$ROUNDS"); do order+=(a b b a); done
i=0
for name in "${order[@]}"; do
  i=$((i + 1))
  echo "bench: run $i of ${#order[@]}: $name" >&2
  # A build from before the event log has no webhooks to configure: it runs without.
  hook=""
  if [ -n "$WEBHOOK" ] && [ -d "$WORK/$name/src/src/MediaLibrary/Events" ]; then hook=1; fi
  # run.sh seeds its own library and stops its own server and database on exit.
  APP="$WORK/$name/app" SOURCE="$WORK/$name/src" WEBHOOK="$hook" bash "$BENCH_DIR/run.sh" >"$WORK/run-$i-$name.md"
  cat "$WORK/run-$i-$name.md" >&2
done

python3 - "$1" "$2" "$WORK"/run-*.md <<'PY'
import re, sys, statistics
base, head, files = sys.argv[1], sys.argv[2], sys.argv[3:]
rates = {}  # label -> {"a": [...], "b": [...]}
order = []
for path in sorted(files, key=lambda p: int(re.search(r"run-(\d+)-", p).group(1))):
    build = re.search(r"run-\d+-([ab])\.md$", path).group(1)
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 8 or cells[0] in ("endpoint", "---") or not re.match(r"^[0-9.]+$", cells[3]):
            continue
        if cells[0] not in rates:
            rates[cells[0]] = {"a": [], "b": []}
            order.append(cells[0])
        rates[cells[0]][build].append(float(cells[3]))
print(f"| endpoint | {base} req/s | {head} req/s | {head} / {base} |")
print("|---|---|---|---|")
for label in order:
    a, b = rates[label]["a"], rates[label]["b"]
    ratio = f"{statistics.mean(b) / statistics.mean(a):.2f}×" if a and b and statistics.mean(a) > 0 else "–"
    print(f"| {label} | {', '.join(f'{x:,.0f}' for x in a)} | {', '.join(f'{x:,.0f}' for x in b)} | {ratio} |")
PY
grep -h "lost-update" "$WORK"/run-*.md >&2 || true
