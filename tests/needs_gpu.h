#pragma once
// EMBER_NEEDS_GPU(): the first line of a test that needs a CUDA device; without one the
// test says so (a Catch2 warning gpu-check counts) and passes.
#include <catch2/catch.hpp>
#include <ember/cuda.h>

#define EMBER_NEEDS_GPU()                                        \
  do {                                                           \
    if (!ember::cuda::is_available()) {                          \
      WARN("no CUDA device: skipped (this test needs a GPU)");   \
      return;                                                    \
    }                                                            \
  } while (0)
