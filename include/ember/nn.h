#pragma once
// ember::nn: modules, containers, init and utils.
#include "ember/nn/cloneable.h"
#include "ember/nn/init.h"
#include "ember/nn/module.h"
#include "ember/nn/modules/container/any.h"
#include "ember/nn/modules/container/lists.h"
#include "ember/nn/modules/container/sequential.h"
#include "ember/nn/modules/functional.h"
#include "ember/nn/modules/linear.h"
#include "ember/nn/modules/rnn.h"
#include "ember/nn/pimpl.h"
#include "ember/nn/utils.h"
