-- CreateEnum
CREATE TYPE "Domain" AS ENUM ('synthetic', 'artificial', 'biological');

-- CreateEnum
CREATE TYPE "Split" AS ENUM ('dev', 'official', 'private');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('queued', 'running', 'ok', 'invalid-output', 'error', 'timeout');

-- CreateEnum
CREATE TYPE "Outcome" AS ENUM ('ok', 'invalid-output', 'error', 'timeout');

-- CreateEnum
CREATE TYPE "MethodKind" AS ENUM ('baseline', 'reference', 'external');

-- CreateTable
CREATE TABLE "Task" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "mainScore" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TaskVersion" (
    "id" SERIAL NOT NULL,
    "taskId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "contractHash" TEXT NOT NULL,
    "contract" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TaskVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Dataset" (
    "id" SERIAL NOT NULL,
    "taskId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "domain" "Domain" NOT NULL,
    "description" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatasetVersion" (
    "id" SERIAL NOT NULL,
    "datasetId" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "contentHash" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DatasetVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Method" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "MethodKind" NOT NULL,
    "description" TEXT NOT NULL,
    "url" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Method_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MethodVersion" (
    "id" SERIAL NOT NULL,
    "methodId" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "sourceHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MethodVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Run" (
    "id" SERIAL NOT NULL,
    "methodVersionId" INTEGER NOT NULL,
    "taskVersionId" INTEGER NOT NULL,
    "datasetVersionId" INTEGER NOT NULL,
    "split" "Split" NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'queued',
    "message" TEXT,
    "score" DOUBLE PRECISION,
    "ciLow" DOUBLE PRECISION,
    "ciHigh" DOUBLE PRECISION,
    "metrics" JSONB,
    "instances" INTEGER NOT NULL,
    "instancesDone" INTEGER NOT NULL DEFAULT 0,
    "seed" INTEGER NOT NULL,
    "harnessVersion" TEXT NOT NULL,
    "gitSha" TEXT NOT NULL,
    "backend" TEXT,
    "hardware" JSONB NOT NULL,
    "wallMs" DOUBLE PRECISION,
    "cpuMs" DOUBLE PRECISION,
    "peakRssMb" DOUBLE PRECISION,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InstanceResult" (
    "id" SERIAL NOT NULL,
    "runId" INTEGER NOT NULL,
    "index" INTEGER NOT NULL,
    "instanceKey" TEXT NOT NULL,
    "seed" INTEGER NOT NULL,
    "inputHash" TEXT NOT NULL,
    "status" "Outcome" NOT NULL,
    "score" DOUBLE PRECISION,
    "metrics" JSONB,
    "message" TEXT,
    "log" TEXT,
    "wallMs" DOUBLE PRECISION NOT NULL,
    "cpuMs" DOUBLE PRECISION NOT NULL,
    "peakRssMb" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InstanceResult_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "TaskVersion_taskId_version_key" ON "TaskVersion"("taskId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Dataset_taskId_slug_key" ON "Dataset"("taskId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "DatasetVersion_datasetId_version_key" ON "DatasetVersion"("datasetId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "MethodVersion_methodId_version_sourceHash_key" ON "MethodVersion"("methodId", "version", "sourceHash");

-- CreateIndex
CREATE INDEX "Run_taskVersionId_datasetVersionId_split_idx" ON "Run"("taskVersionId", "datasetVersionId", "split");

-- CreateIndex
CREATE UNIQUE INDEX "Run_methodVersionId_taskVersionId_datasetVersionId_split_key" ON "Run"("methodVersionId", "taskVersionId", "datasetVersionId", "split");

-- CreateIndex
CREATE UNIQUE INDEX "InstanceResult_runId_index_key" ON "InstanceResult"("runId", "index");

-- AddForeignKey
ALTER TABLE "TaskVersion" ADD CONSTRAINT "TaskVersion_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Dataset" ADD CONSTRAINT "Dataset_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetVersion" ADD CONSTRAINT "DatasetVersion_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MethodVersion" ADD CONSTRAINT "MethodVersion_methodId_fkey" FOREIGN KEY ("methodId") REFERENCES "Method"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_methodVersionId_fkey" FOREIGN KEY ("methodVersionId") REFERENCES "MethodVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_taskVersionId_fkey" FOREIGN KEY ("taskVersionId") REFERENCES "TaskVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InstanceResult" ADD CONSTRAINT "InstanceResult_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
