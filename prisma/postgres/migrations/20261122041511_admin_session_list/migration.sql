-- CreateIndex
CREATE INDEX "sessions_authenticated_at_id_idx" ON "sessions"("authenticated_at", "id");
