#pragma once
// Optimizers and learning-rate schedulers (torch/optim.h).
#include "ember/optim/adagrad.h"
#include "ember/optim/adam.h"
#include "ember/optim/adamw.h"
#include "ember/optim/lbfgs.h"
#include "ember/optim/optimizer.h"
#include "ember/optim/rmsprop.h"
#include "ember/optim/schedulers/cosine_annealing_lr.h"
#include "ember/optim/schedulers/exponential_lr.h"
#include "ember/optim/schedulers/lr_scheduler.h"
#include "ember/optim/schedulers/reduce_on_plateau_scheduler.h"
#include "ember/optim/schedulers/step_lr.h"
#include "ember/optim/sgd.h"
