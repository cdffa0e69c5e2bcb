#!/bin/sh
# Kills a tiny training run with strace's fault injection at its K-th rename(2) (default 33), resumes
# it, and compares model/ and best/ with an uninterrupted run: the reproduction of a kill between the
# checkpoint's commit and the rewrite of best/. Needs strace and the built packages (npm run build).
# Usage: packages/train/scripts/strace-kill.sh [K]
set -eu
K=${1:-33}
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
node "$child" "$config" "$tmp/ref" > /dev/null
strace -f -qq -o /dev/null -e trace=rename -e inject=rename:signal=KILL:when="$K" \
  node "$child" "$config" "$tmp/killed" > /dev/null 2>&1 || true
echo "killed at rename $K; left: $(ls "$tmp/killed" | tr '\n' ' ')"
node "$child" "$config" "$tmp/killed" --resume > /dev/null
for f in model/model.json model/weights.bin best/model.json best/weights.bin; do
  if cmp -s "$tmp/ref/$f" "$tmp/killed/$f"; then echo "same   $f"; else echo "DIFFER $f"; exit 1; fi
done
