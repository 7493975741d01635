-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "notes" TEXT[] DEFAULT ARRAY[]::TEXT[];
