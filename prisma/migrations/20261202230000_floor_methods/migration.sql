-- AlterEnum
ALTER TYPE "MethodKind" ADD VALUE 'floor';
