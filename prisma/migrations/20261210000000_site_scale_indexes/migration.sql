-- Site at scale (issue 12, item 9): the leaderboards' "latest run of each method" reads only this index (index-only
-- scan over a dataset's runs on a split); it replaces the (taskVersionId, datasetVersionId, split) index, its prefix.
DROP INDEX "Run_taskVersionId_datasetVersionId_split_idx";
CREATE INDEX "Run_taskVersionId_datasetVersionId_split_methodVersionId_id_idx" ON "Run"("taskVersionId", "datasetVersionId", "split", "methodVersionId", "id");

-- Failed-instance counts per run (every leaderboard row) without reading the instance rows themselves.
CREATE INDEX "InstanceResult_runId_status_idx" ON "InstanceResult"("runId", "status");
