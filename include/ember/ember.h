#pragma once
// The whole public API of ember.
#include "ember/array_ref.h"
#include "ember/autograd.h"
#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/errors.h"
#include "ember/fmt.h"
#include "ember/nn.h"
#include "ember/ops.h"
#include "ember/options.h"
#include "ember/scalar.h"
#include "ember/tensor.h"
