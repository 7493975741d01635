// Covariance of centred data on the GPU: cov = xc^T xc / (n - 1), float64, one thread per output entry.
// Built by run.py with `nvcc -shared` and called through ctypes; returns 0 or a cudaError_t.
#include <cuda_runtime.h>

__global__ void covariance_kernel(const double *xc, int n, int d, double *cov) {
  int i = blockIdx.y * blockDim.y + threadIdx.y;
  int j = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= d || j >= d || j < i) return;
  double s = 0.0;
  for (int r = 0; r < n; r++) s += xc[(size_t)r * d + i] * xc[(size_t)r * d + j];
  s /= (n > 1 ? n - 1 : 1);
  cov[(size_t)i * d + j] = s;
  cov[(size_t)j * d + i] = s;
}

extern "C" int covariance(const double *xc, int n, int d, double *cov, char *device_name, int name_len) {
  cudaError_t err;
  cudaDeviceProp prop;
  if ((err = cudaGetDeviceProperties(&prop, 0)) != cudaSuccess) return err;
  for (int k = 0; k < name_len - 1 && prop.name[k]; k++) device_name[k] = prop.name[k], device_name[k + 1] = 0;
  double *dx = nullptr, *dc = nullptr;
  size_t xbytes = (size_t)n * d * sizeof(double), cbytes = (size_t)d * d * sizeof(double);
  if ((err = cudaMalloc(&dx, xbytes)) != cudaSuccess) return err;
  if ((err = cudaMalloc(&dc, cbytes)) != cudaSuccess) { cudaFree(dx); return err; }
  err = cudaMemcpy(dx, xc, xbytes, cudaMemcpyHostToDevice);
  if (err == cudaSuccess) {
    dim3 block(16, 16), grid((d + 15) / 16, (d + 15) / 16);
    covariance_kernel<<<grid, block>>>(dx, n, d, dc);
    err = cudaGetLastError();
    if (err == cudaSuccess) err = cudaMemcpy(cov, dc, cbytes, cudaMemcpyDeviceToHost);
  }
  cudaFree(dx);
  cudaFree(dc);
  return err;
}
