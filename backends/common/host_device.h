#pragma once
// EMBER_HD marks functions written once for the host and the device: __host__ __device__
// (and inlined) under nvcc, plain inline functions in the CPU backend and its tests.
#ifndef EMBER_HD
#ifdef __CUDACC__
#define EMBER_HD __host__ __device__ __forceinline__
#else
#define EMBER_HD inline
#endif
#endif
