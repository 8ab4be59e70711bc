#!/usr/bin/env bash
# Runs gdb in batch mode on gdb_target at a breakpoint and checks what the ember
# pretty-printers print. Exit 77 (ctest skip) when gdb is not installed.
set -u
target="$1"; printers="$2"
if ! command -v gdb >/dev/null; then echo "gdb not installed: skipping the pretty-printer test"; exit 77; fi
out=$(gdb -batch -nx -ex "source $printers" -ex "break stop_here" -ex run -ex "p g_tensor" -ex "p g_result" \
      -ex "p g_empty" -ex "p g_list" -ex "p g_device" -ex "p g_scalar" -ex "p g_fc" -ex "p g_tensor.impl_.p_->sizes_" \
      "$target" 2>&1)
echo "$out"
fail=0
expect() {
  if ! grep -qF -- "$1" <<<"$out"; then echo "MISSING: $1"; fail=1; fi
}
expect 'ember::Tensor([2, 3], Float, cpu, requires_grad) = {1.5, 2, 3, 4, 5, 6}'
expect 'ember::Tensor([2, 3], Float, cpu, requires_grad, grad_fn=MulBackward0) = {3, 4, 6, 8, 10, 12}'
expect 'ember::Tensor (undefined)'
expect 'ember::Tensor([3], Long, cpu) = {0, 1, 2}'
expect 'ember::Tensor([2], Bool, cpu) = {true, false}'
expect 'ember::Device(cpu)'
expect 'ember::Scalar(2.5)'
expect 'ember::nn::Linear -> ember::nn::LinearImpl'
expect '[2, 3]'
# The copy embedded in the program's .debug_gdb_scripts section loads by itself.
auto=$(gdb -batch -nx -iex "add-auto-load-safe-path $target" -ex "break stop_here" -ex run -ex "p g_tensor" "$target" 2>&1)
if ! grep -qF 'ember::Tensor([2, 3], Float, cpu, requires_grad) = {1.5, 2, 3, 4, 5, 6}' <<<"$auto"; then
  echo "auto-loaded printers did not print the tensor:"; echo "$auto"; fail=1
fi
exit $fail
