-- AlterTable
ALTER TABLE "sessions" ADD COLUMN "revocation_reason" TEXT;
ALTER TABLE "sessions" ADD COLUMN "revoked_by_session_id" TEXT;

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "event_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" DATETIME NOT NULL,
    "claim_id" TEXT,
    "last_attempt_at" DATETIME,
    "last_error" TEXT,
    "created_at" DATETIME NOT NULL,
    "delivered_at" DATETIME
);

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_url_next_attempt_at_idx" ON "webhook_deliveries"("status", "url", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_delivered_at_idx" ON "webhook_deliveries"("delivered_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_event_id_url_key" ON "webhook_deliveries"("event_id", "url");
