// Default entries of the sort and scan kernel family: a backend without them reports
// the missing family by name.
#include "backends/backend.h"

namespace ember::backend {

void Backend::scan(ScanOp, const TensorArg&, const TensorArg&, int) { missing("scan"); }
void Backend::sort(const TensorArg&, const TensorArg&, const TensorArg&, int, bool, bool) { missing("sort"); }
void Backend::topk(const TensorArg&, const TensorArg&, const TensorArg&, int64_t, int, bool, bool) {
  missing("topk");
}
void Backend::slice_select(SliceSelect, const TensorArg&, const TensorArg&, const TensorArg&, int64_t, int) {
  missing("slice_select");
}
void Backend::norm_reduce(const TensorArg&, const TensorArg&, double) { missing("norm"); }

}  // namespace ember::backend
