-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN     "card" JSONB,
ADD COLUMN     "readme" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "DatasetVersion" ADD COLUMN     "preview" JSONB;
