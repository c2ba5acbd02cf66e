-- Issue 10 (docs/sessions.md): device sessions a user sees and ends (a sealed name, last seen,
-- where from, why it ended), DPoP-bound tokens with a replay store shared by every process, and
-- the shared counters of the auth rate limits.
CREATE TABLE "dpop_proofs" (
	"id" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" varchar(255) PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" bigint
);
--> statement-breakpoint
ALTER TABLE "device_sessions" ALTER COLUMN "device_name" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "device_sessions" ADD COLUMN "name_ciphertext" text;--> statement-breakpoint
ALTER TABLE "device_sessions" ADD COLUMN "jkt" text;--> statement-breakpoint
ALTER TABLE "device_sessions" ADD COLUMN "last_seen_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "device_sessions" ADD COLUMN "created_ip" text;--> statement-breakpoint
ALTER TABLE "device_sessions" ADD COLUMN "last_ip" text;--> statement-breakpoint
ALTER TABLE "device_sessions" ADD COLUMN "revoked_reason" text;--> statement-breakpoint
CREATE INDEX "dpop_proofs_expires_idx" ON "dpop_proofs" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "device_sessions_live_idx" ON "device_sessions" USING btree ("account_id","last_seen_at") WHERE "device_sessions"."revoked_at" is null;
--> statement-breakpoint
-- Names were readable until now: the devices seal their own names again after their next sign-in.
UPDATE "device_sessions" SET "device_name" = NULL, "last_seen_at" = "created_at";
--> statement-breakpoint
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['dpop_proofs', 'rate_limits'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', t);
    EXECUTE format('CREATE POLICY %I ON %I TO %I USING (true) WITH CHECK (true)', t || '_owner', t, current_user);
  END LOOP;
END $$;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON dpop_proofs, rate_limits TO keyhold_app;
--> statement-breakpoint
-- Server-wide rows, not account data (proof ids and counters keyed by hashes): every process uses them.
CREATE POLICY dpop_proofs_app ON dpop_proofs TO keyhold_app USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY rate_limits_app ON rate_limits TO keyhold_app USING (true) WITH CHECK (true);
--> statement-breakpoint
-- keyhold_authenticate (0002) also answers what DPoP and the session limits check: the session's
-- key thumbprint, when it began and when it was last seen.
DROP FUNCTION keyhold_authenticate(text, text);
--> statement-breakpoint
CREATE FUNCTION keyhold_authenticate(p_hash text, p_kind text)
  RETURNS TABLE (account_id uuid, session_id uuid, scopes text[], expires_at timestamptz,
                 revoked_at timestamptz, session_revoked_at timestamptz, account_revision bigint,
                 jkt text, session_created_at timestamptz, session_last_seen_at timestamptz)
  LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_account uuid;
BEGIN
  PERFORM set_config('keyhold.token_hash', p_hash, true);
  SELECT t.account_id INTO v_account FROM tokens t WHERE t.hash = p_hash AND t.kind = p_kind;
  IF v_account IS NULL THEN
    RETURN;
  END IF;
  PERFORM set_config('keyhold.account_id', v_account::text, true);
  RETURN QUERY
    SELECT t.account_id, t.session_id, t.scopes, t.expires_at, t.revoked_at, s.revoked_at, a.revision,
           s.jkt, s.created_at, s.last_seen_at
    FROM tokens t
    JOIN device_sessions s ON s.id = t.session_id
    JOIN accounts a ON a.id = t.account_id
    WHERE t.hash = p_hash AND t.kind = p_kind;
END $$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION keyhold_authenticate(text, text) TO keyhold_app;
