#!/usr/bin/env bash
# Alternates shared/bench/torch_step.py (PyTorch eager) and `ckl bench train-step` at the same flags,
# N times in one sitting, and prints each pair and the median of the ratios ours/theirs.
# Usage: bench/versus-torch.sh [-n ALTERNATIONS] [-t TORCH_STEP_PY] [torch_step flags...]
# Needs Debian's python3-torch and libopenblas0-pthread (without OpenBLAS, torch falls back to the
# reference BLAS and runs ~12x slower, which would flatter the ratio).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=3
torch_step="$root/../shared/bench/torch_step.py"
while [ $# -gt 0 ]; do
  case $1 in -n) n=$2; shift 2 ;; -t) torch_step=$2; shift 2 ;; *) break ;; esac
done
py=/usr/bin/python3
"$py" -c 'import torch' 2>/dev/null || { echo "no torch for $py: apt-get install python3-torch libopenblas0-pthread" >&2; exit 2; }
grep -q openblas <(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep '^Value:') \
  || echo "warning: libblas.so.3 is not OpenBLAS; PyTorch's figures will be slow" >&2
field() { sed -E "s/.*\"$1\": ?([0-9.]+).*/\1/"; }
ratios=()
for i in $(seq 1 "$n"); do
  theirs=$("$py" "$torch_step" "$@" | tail -1)
  ours=$("$root/ckl" bench train-step "$@" 2>/dev/null | tail -1)
  t=$(field median_step_s <<<"$theirs"); o=$(field median_step_s <<<"$ours")
  rss=$(field peak_rss_mb <<<"$ours")
  r=$(awk -v o="$o" -v t="$t" 'BEGIN { printf "%.3f", o / t }')
  ratios+=("$r")
  echo "alternation $i: pytorch-eager ${t}s  ckl-bench ${o}s (peak RSS ${rss} MB)  ratio $r"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
echo "flags: ${*:-(defaults)}  median ratio: $median"
