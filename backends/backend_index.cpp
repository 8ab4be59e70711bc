// Default indexing kernel entries: a backend without them names the missing family.
#include "backends/backend.h"

namespace ember::backend {

void Backend::index_gather(const TensorArg&, ArrayRef<IndexDim>, bool, const TensorArg&, const char*) {
  missing("index_gather");
}
void Backend::index_scatter(ScatterReduce, const TensorArg&, ArrayRef<IndexDim>, bool, const TensorArg&,
                            const char*) {
  missing("index_scatter");
}
void Backend::nonzero(const TensorArg&, const TensorArg&) { missing("nonzero"); }

}  // namespace ember::backend
