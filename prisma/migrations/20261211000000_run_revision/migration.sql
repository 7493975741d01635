-- Site at scale (issue 12, item 9): every insert and update of a run draws a new revision from a sequence, so a page
-- cache tells whether any run of a task changed from one index-only scan (lib/data.ts taskStamp): sum(revision) grows
-- with every committed change whatever order transactions commit in (max(id) or max(revision) would miss a change
-- that commits after a later one), and count(*) catches deletions. Not in the Prisma model: only raw SQL reads it.
CREATE SEQUENCE "Run_revision_seq" AS BIGINT;
ALTER TABLE "Run" ADD COLUMN "revision" BIGINT NOT NULL DEFAULT nextval('"Run_revision_seq"');

CREATE FUNCTION "run_next_revision"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."revision" := nextval('"Run_revision_seq"');
  RETURN NEW;
END
$$;
CREATE TRIGGER "Run_next_revision" BEFORE UPDATE ON "Run" FOR EACH ROW EXECUTE FUNCTION "run_next_revision"();

CREATE INDEX "Run_taskVersionId_revision_idx" ON "Run"("taskVersionId", "revision");
