-- Live sign-out (lib/server/database/revocation-feed.ts): every UPDATE that turns sessions inactive
-- sends NOTIFY session_revoked with their ids, comma-separated, at most 200 per notification (a
-- payload holds 8,000 bytes). PostgreSQL delivers it only if the transaction commits, to every
-- instance's LISTEN connection. A trigger rather than a statement of the app's: the revocation
-- costs no extra round trip, and a revocation made by hand in SQL is pushed too.
CREATE FUNCTION "notify_session_revoked"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  "batch" TEXT;
BEGIN
  FOR "batch" IN
    SELECT string_agg("id", ',')
    FROM (
      SELECT "new_rows"."id", (row_number() OVER () - 1) / 200 AS "chunk"
      FROM "new_rows" JOIN "old_rows" ON "old_rows"."id" = "new_rows"."id"
      WHERE "old_rows"."active" AND NOT "new_rows"."active"
    ) AS "revoked"
    GROUP BY "chunk"
  LOOP
    PERFORM pg_notify('session_revoked', "batch");
  END LOOP;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "sessions_notify_revoked"
  AFTER UPDATE ON "sessions"
  REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_session_revoked"();
