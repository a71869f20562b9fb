-- AlterTable
ALTER TABLE "sessions" ADD COLUMN "authentication_methods" TEXT;

-- AlterTable (SQLite adds a NOT NULL column with a constant default in place; no table rebuild)
ALTER TABLE "selfservice_flows" ADD COLUMN "refresh" BOOLEAN NOT NULL DEFAULT false;
