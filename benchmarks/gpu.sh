#!/usr/bin/env bash
# The GPU checks, in one command, on a machine with a CUDA GPU (from the repository root, after `bash setup.sh test`
# or at least the .venv; Fashion-MNIST as for the course: the Debian package, ./data or $COURSE_DATA):
#
#   bash benchmarks/gpu.sh
#
# 1. records the answer key's training runs on the GPU, at d2l's configuration (python -m course build --train:
#    the recorded-run cells of 05-13 in solutions/, with device, seconds and accuracy);
# 2. times our training path against d2l's for all eight networks, 2 epochs each (benchmarks/vs_d2l.py; d2l's side
#    needs benchmarks/.d2l, see "Install" in benchmarks/README.md, else only ours runs);
# 3. writes both results to benchmarks/gpu-results/ (the vs_d2l table as text and JSON, the build's log).
#
# Expected to take about 10 minutes on an H100 or H200 (an estimate: no GPU has run it yet).
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/gpu-results
mkdir -p "$out"
py=.venv/bin/python
$py -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'no CUDA GPU: nothing to measure')"
start=$(date +%s)
$py -m course build --train 05_lenet 06_alexnet 07_vgg 08_nin 09_googlenet 10_batch_norm 11_resnet 12_densenet \
    13_model_zoo 2>&1 | tee "$out/build-train.log"
sides=both
[ -d benchmarks/.d2l ] || sides=ours
$py benchmarks/vs_d2l.py --model all --device cuda --epochs 2 --sides "$sides" --json "$out/vs_d2l.json" 2>&1 \
    | tee "$out/vs_d2l.txt"
echo "gpu.sh: done in $(( $(date +%s) - start )) s; results in $out/"
