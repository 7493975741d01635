-- GPU runtime (PROTOCOL 1.1): what the GPU did, per instance and per run; null = CPU-only.
ALTER TABLE "Run" ADD COLUMN "gpuModel" TEXT,
ADD COLUMN "gpuDriver" TEXT,
ADD COLUMN "cudaVersion" TEXT,
ADD COLUMN "gpuBusyMs" DOUBLE PRECISION,
ADD COLUMN "gpuPeakMemMb" DOUBLE PRECISION;

ALTER TABLE "InstanceResult" ADD COLUMN "gpuModel" TEXT,
ADD COLUMN "gpuDriver" TEXT,
ADD COLUMN "cudaVersion" TEXT,
ADD COLUMN "gpuBusyMs" DOUBLE PRECISION,
ADD COLUMN "gpuPeakMemMb" DOUBLE PRECISION;
