#!/bin/sh
# Kills a tiny 3-epoch training run with strace's fault injection at a rename(2) (`inject=...:when=K`)
# — K = 1 .. the run's number of renames, or only the ones given — resumes each folder, and compares
# model/ and best/ with an uninterrupted run. strace counts K per thread (Node's file-system calls run
# on libuv's thread pool), so the K's reach different points of the run rather than the K-th rename
# of the whole run. Unlike the OD_FAULT_AT hook of the tests, strace also reaches the renames inside
# @od/ssd's model writer. Needs strace and the built packages (npm run build).
# Usage: packages/train/scripts/strace-kill.sh [K ...]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
child="$here/test/fixtures/train-child.mjs"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/od-strace-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
node --input-type=module -e "
  const { writeSyntheticVoc } = await import('$here/../data/dist/node.js');
  await writeSyntheticVoc('$tmp/data', { count: 6, size: 64, seed: 5, trainCount: 4 });"
config=$(cat <<JSON
{"data":{"root":"$tmp/data"},"model":{"inputSize":{"width":32,"height":32},"backbone":{"kind":"mobilenet","widthMultiplier":0.25,"taps":[8,16]}},"augment":{"preset":"light"},"train":{"epochs":3,"batchSize":2,"warmupSteps":1,"backends":["cpu"],"workers":0,"seed":3},"eval":{"everyEpochs":1,"samples":1}}
JSON
)
strace -f -qq -o "$tmp/renames.txt" -e trace=rename node "$child" "$config" "$tmp/ref" > /dev/null
total=$(grep -c 'rename(' "$tmp/renames.txt")
echo "uninterrupted run: $total renames"
[ $# -gt 0 ] || set -- $(seq 1 "$total")
failed=0
for K in "$@"; do
  out="$tmp/k$K"
  strace -f -qq -o /dev/null -e trace=rename -e inject=rename:signal=KILL:when="$K" \
    node "$child" "$config" "$out" > /dev/null 2>&1 || true
  if [ -f "$out/config.json" ]; then node "$child" "$config" "$out" --resume > /dev/null
  else node "$child" "$config" "$out" > /dev/null; fi
  for f in model/model.json model/weights.bin best/model.json best/weights.bin; do
    cmp -s "$tmp/ref/$f" "$out/$f" || { echo "rename $K: $f differs"; failed=1; }
  done
  rm -rf "$out"
done
[ "$failed" = 0 ] && echo "all $# kill points resumed to the uninterrupted model/ and best/"
exit "$failed"
