#!/usr/bin/env bash
# Benchmarks `brief build` against Hugo (Debian's package) on the same articles, in one run.
#
#   scripts/bench.sh                  # 1,000 and 10,000 briefings
#   SIZES="1000 10000 100000" scripts/bench.sh
#   FRESH=1 scripts/bench.sh          # each run after `rm -rf` of its output folder
#
# For each size it generates a corpus with examples/corpus.rs (the same articles as a Hugo
# site, without annotations), times `brief build` and `hugo` (best of RUNS, wall clock, peak
# RSS from /usr/bin/time), prints brief's per-phase times, and the ratios. Figures are only
# comparable within one run: the machine is shared and noisy. Not a test.
#
# By default each tool builds into the output of its previous run, as a writer rebuilding a
# site does. FRESH=1 deletes the output folder before every run instead, as a benchmark
# harness's `--prepare 'rm -rf public'` does; on a file system without a journal (these
# machines) creating files right after deleting as many is far slower, for every tool.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000"}
RUNS=${RUNS:-5}
FRESH=${FRESH:-0}
WORK=${WORK:-$(mktemp -d)}
command -v hugo >/dev/null || { echo "hugo is not installed (apt-get install hugo)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is not installed (apt-get install time)" >&2; exit 1; }

cargo build --release --quiet --bin brief --example corpus
BRIEF=$PWD/target/release/brief

# Runs "$@" RUNS times (with FRESH=1, each after deleting the output folder $1); prints
# "<best seconds> <peak KB of that run>".
best_of() {
  local output=$1 best="" rss=""
  shift
  for _ in $(seq "$RUNS"); do
    local out tmp
    if [ "$FRESH" = 1 ]; then rm -rf "$output"; fi
    # The previous run's output still being written back would slow this one down.
    sync
    tmp=$(mktemp)
    # Wall time to the millisecond from bash's clock (/usr/bin/time rounds to 10 ms, 5% of a
    # build of 1,000 briefings); peak RSS from /usr/bin/time.
    local t0=$EPOCHREALTIME
    /usr/bin/time -f "%M" -o "$tmp" "$@" >/dev/null 2>&1 || true
    local t1=$EPOCHREALTIME
    out=$(tail -1 "$tmp")
    rm -f "$tmp"
    local t m=$out
    t=$(awk "BEGIN{printf \"%.3f\", $t1 - $t0}")
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
  done
  echo "$best $rss"
}

printf '%-9s %10s %10s %8s %12s %12s\n' briefings brief_s hugo_s ratio brief_MB hugo_MB
declare -A BRIEF_T
for n in $SIZES; do
  site=$WORK/brief-$n hugo_site=$WORK/hugo-$n
  [ -d "$site" ] || target/release/examples/corpus --briefings "$n" --out "$site" --hugo "$hugo_site"
  read -r bt bm < <(best_of "$WORK/out-$n" "$BRIEF" build --root "$site" --output "$WORK/out-$n")
  read -r ht hm < <(cd "$hugo_site" && best_of "$WORK/hugo-out-$n" hugo --quiet --destination "$WORK/hugo-out-$n")
  BRIEF_T[$n]=$bt
  printf '%-9s %10s %10s %8.2f %12.0f %12.0f\n' "$n" "$bt" "$ht" "$(awk "BEGIN{print $bt/$ht}")" \
    "$(awk "BEGIN{print $bm/1024}")" "$(awk "BEGIN{print $hm/1024}")"
  "$BRIEF" build --root "$site" --output "$WORK/out-$n" --timings 2>&1 | grep timings: | sed "s/^/  $n: /"
done

sizes=($SIZES)
for ((i = 1; i < ${#sizes[@]}; i++)); do
  a=${sizes[$((i - 1))]} b=${sizes[$i]}
  printf 'scaling %s -> %s: %.2fx time for %.0fx briefings\n' "$a" "$b" \
    "$(awk "BEGIN{print ${BRIEF_T[$b]}/${BRIEF_T[$a]}}")" "$(awk "BEGIN{print $b/$a}")"
done
echo "corpora and outputs in $WORK"
