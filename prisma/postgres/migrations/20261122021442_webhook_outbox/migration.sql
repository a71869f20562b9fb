-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "revocation_reason" TEXT,
ADD COLUMN     "revoked_by_session_id" TEXT;

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3) NOT NULL,
    "claim_id" TEXT,
    "last_attempt_at" TIMESTAMP(3),
    "last_error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL,
    "delivered_at" TIMESTAMP(3),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_url_next_attempt_at_idx" ON "webhook_deliveries"("status", "url", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_delivered_at_idx" ON "webhook_deliveries"("delivered_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_event_id_url_key" ON "webhook_deliveries"("event_id", "url");
