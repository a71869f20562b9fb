-- AlterTable
ALTER TABLE "selfservice_flows" ADD COLUMN     "refresh" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "authentication_methods" TEXT;
