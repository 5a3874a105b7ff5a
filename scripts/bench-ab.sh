#!/usr/bin/env bash
# Times `brief build` of an earlier commit against the current one, on the same corpus, in one
# run, alternating the two: on a shared, noisy machine only such a pairing shows a change of a
# few percent.
#
#   scripts/bench-ab.sh REV                      # REV against the working tree, 10,000 briefings
#   SIZE=1000 RUNS=9 scripts/bench-ab.sh HEAD~3
#
# REV is built in a temporary worktree with its own target folder (a full release build).
# Each binary writes into its own output folder, and builds twice before timing starts, so
# that every timed build writes into its spare as a rebuild does. Prints each binary's best
# and all its times (wall clock, seconds). Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."

REV=${1:?usage: scripts/bench-ab.sh REV}
SIZE=${SIZE:-10000}
RUNS=${RUNS:-5}
WORK=${WORK:-$(mktemp -d)}
[ -x /usr/bin/time ] || { echo "/usr/bin/time is not installed (apt-get install time)" >&2; exit 1; }

cargo build --release --quiet --bin brief --example corpus
NEW=$PWD/target/release/brief

tree=$WORK/ab-worktree
rm -rf "$tree"
git worktree add --quiet --detach "$tree" "$REV"
trap 'git worktree remove --force "$tree"' EXIT
(cd "$tree" && CARGO_TARGET_DIR=$WORK/ab-target cargo build --release --quiet --bin brief)
OLD=$WORK/ab-target/release/brief

site=$WORK/brief-$SIZE
[ -d "$site" ] || target/release/examples/corpus --briefings "$SIZE" --out "$site"

declare -A TIMES
for name in old new; do
  bin=$OLD; [ "$name" = new ] && bin=$NEW
  for _ in 1 2; do "$bin" build --root "$site" --output "$WORK/out-$name" >/dev/null 2>&1; done
done
for _ in $(seq "$RUNS"); do
  for name in old new; do
    bin=$OLD; [ "$name" = new ] && bin=$NEW
    sync
    tmp=$(mktemp)
    /usr/bin/time -f "%e" -o "$tmp" "$bin" build --root "$site" --output "$WORK/out-$name" >/dev/null 2>&1
    TIMES[$name]="${TIMES[$name]:-} $(tail -1 "$tmp")"
    rm -f "$tmp"
  done
done
for name in old new; do
  best=$(tr ' ' '\n' <<<"${TIMES[$name]}" | grep . | sort -n | head -1)
  printf '%s (%s): best %s s, all:%s\n' "$name" "$([ "$name" = old ] && echo "$REV" || echo "working tree")" "$best" "${TIMES[$name]}"
done
echo "corpus and outputs in $WORK"
