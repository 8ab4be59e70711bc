#pragma once
// Porting aid: `#include <ember/compat/torch.h>` lets a libtorch program compile against
// ember with its `torch::` spelling. ember itself never declares namespace torch.
#include "ember/ember.h"

namespace torch = ember;

#ifndef TORCH_MODULE
#define TORCH_MODULE(Name) EMBER_MODULE(Name)
#endif
#ifndef TORCH_ARG
#define TORCH_ARG(T, name) EMBER_ARG(T, name)
#endif
