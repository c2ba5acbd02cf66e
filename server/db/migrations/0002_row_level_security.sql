-- Row-level security and the append-only audit log (docs/audit.md, "Isolation in PostgreSQL").
--
-- The server connects as keyhold_app: it owns nothing, is no superuser and has no BYPASSRLS, so
-- every policy below applies to it. This migration runs as the owner, who keeps full access
-- through the *_owner policies (FORCE makes policies apply to owners too). A request declares who
-- it acts for in transaction-local settings that the policies read:
--   keyhold.account_id  the authenticated account (or the account being registered)
--   keyhold.email       a login or pre-login looking its account up by email
--   keyhold.token_hash  a bearer or refresh token being looked up by its hash

DO $$
BEGIN
  -- Roles are cluster-wide: another database of the same cluster may have created it already,
  -- possibly at this very moment.
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'keyhold_app') THEN
    CREATE ROLE keyhold_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION keyhold_account() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('keyhold.account_id', true), '')::uuid $$;
--> statement-breakpoint
CREATE FUNCTION keyhold_email() RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('keyhold.email', true), '') $$;
--> statement-breakpoint
CREATE FUNCTION keyhold_token_hash() RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('keyhold.token_hash', true), '') $$;
--> statement-breakpoint
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['accounts', 'device_sessions', 'tokens', 'items', 'server_secrets',
      'audit_events', 'audit_head', 'audit_checkpoints', 'audit_signing_keys'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', t);
    EXECUTE format('CREATE POLICY %I ON %I TO %I USING (true) WITH CHECK (true)', t || '_owner', t, current_user);
  END LOOP;
END $$;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts, device_sessions, tokens, items TO keyhold_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON server_secrets, audit_events, audit_checkpoints, audit_signing_keys TO keyhold_app;
--> statement-breakpoint
GRANT SELECT, UPDATE ON audit_head TO keyhold_app;
--> statement-breakpoint
-- Readiness compares the applied migrations with this build's.
GRANT USAGE ON SCHEMA drizzle TO keyhold_app;
--> statement-breakpoint
GRANT SELECT ON drizzle.__drizzle_migrations TO keyhold_app;
--> statement-breakpoint
CREATE POLICY accounts_app ON accounts TO keyhold_app
  USING (id = (SELECT keyhold_account()) OR email = (SELECT keyhold_email()))
  WITH CHECK (id = (SELECT keyhold_account()) OR email = (SELECT keyhold_email()));
--> statement-breakpoint
CREATE POLICY device_sessions_app ON device_sessions TO keyhold_app
  USING (account_id = (SELECT keyhold_account()))
  WITH CHECK (account_id = (SELECT keyhold_account()));
--> statement-breakpoint
CREATE POLICY tokens_app ON tokens TO keyhold_app
  USING (account_id = (SELECT keyhold_account()) OR hash = (SELECT keyhold_token_hash()))
  WITH CHECK (account_id = (SELECT keyhold_account()));
--> statement-breakpoint
CREATE POLICY items_app ON items TO keyhold_app
  USING (account_id = (SELECT keyhold_account()))
  WITH CHECK (account_id = (SELECT keyhold_account()));
--> statement-breakpoint
-- Server-wide rows, not account data: every process reads and adds them.
CREATE POLICY server_secrets_app ON server_secrets TO keyhold_app USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY audit_head_app ON audit_head TO keyhold_app USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY audit_checkpoints_app ON audit_checkpoints TO keyhold_app USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY audit_signing_keys_app ON audit_signing_keys TO keyhold_app USING (true) WITH CHECK (true);
--> statement-breakpoint
-- An account reads its own events; events without an account (a login for an unknown email, a
-- rate limit hit by an IP) are written by anyone and read by no one but the owner.
CREATE POLICY audit_events_app_read ON audit_events FOR SELECT TO keyhold_app
  USING (account_id = (SELECT keyhold_account()));
--> statement-breakpoint
CREATE POLICY audit_events_app_write ON audit_events FOR INSERT TO keyhold_app
  WITH CHECK (account_id IS NULL OR account_id = (SELECT keyhold_account()));
--> statement-breakpoint
INSERT INTO audit_head (id, last_event_seq, hash, pruned_through_seq, pruned_through_hash)
  VALUES (true, 0, repeat('0', 64), 0, repeat('0', 64));
--> statement-breakpoint
-- Append-only, in the database itself: no UPDATE, DELETE or TRUNCATE of audit rows, whoever asks.
-- Only keyhold_audit_prune (below) may delete events, and only up to a signed checkpoint.
CREATE FUNCTION keyhold_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_events'
     AND current_setting('keyhold.audit_prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION keyhold_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION keyhold_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION keyhold_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION keyhold_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_signing_keys_append_only BEFORE UPDATE OR DELETE ON audit_signing_keys
  FOR EACH ROW EXECUTE FUNCTION keyhold_audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_signing_keys_no_truncate BEFORE TRUNCATE ON audit_signing_keys
  FOR EACH STATEMENT EXECUTE FUNCTION keyhold_audit_append_only();
--> statement-breakpoint
-- Every authenticated request: find the token by its hash, then declare its account for the rest
-- of the statement (or transaction), in one round trip.
CREATE FUNCTION keyhold_authenticate(p_hash text, p_kind text)
  RETURNS TABLE (account_id uuid, session_id uuid, scopes text[], expires_at timestamptz,
                 revoked_at timestamptz, session_revoked_at timestamptz, account_revision bigint)
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
    SELECT t.account_id, t.session_id, t.scopes, t.expires_at, t.revoked_at, s.revoked_at, a.revision
    FROM tokens t
    JOIN device_sessions s ON s.id = t.session_id
    JOIN accounts a ON a.id = t.account_id
    WHERE t.hash = p_hash AND t.kind = p_kind;
END $$;
--> statement-breakpoint
-- The push hub re-reads, after its LISTEN connection came back, what notifications may have
-- carried: the revisions of the accounts it streams to and which of its sessions were revoked.
-- Definer rights, exposing those two facts and nothing else.
CREATE FUNCTION keyhold_push_state(p_accounts uuid[], p_sessions uuid[])
  RETURNS TABLE (kind text, id uuid, revision bigint, revoked boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT 'account', a.id, a.revision, false FROM accounts a WHERE a.id = ANY (p_accounts)
  UNION ALL
  SELECT 'session', s.id, NULL, s.revoked_at IS NOT NULL FROM device_sessions s WHERE s.id = ANY (p_sessions)
$$;
--> statement-breakpoint
-- Retention: removes the events older than p_before, up to the newest signed checkpoint among
-- them, and records that point in the head so what remains still verifies.
CREATE FUNCTION keyhold_audit_prune(p_before timestamptz) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_head audit_head%ROWTYPE;
  v_seq bigint;
  v_hash text;
  v_removed bigint;
BEGIN
  SELECT * INTO v_head FROM audit_head FOR UPDATE;
  SELECT c.last_event_seq, c.head_hash INTO v_seq, v_hash
    FROM audit_checkpoints c JOIN audit_events e ON e.seq = c.last_event_seq
    WHERE e.at < p_before AND c.last_event_seq > v_head.pruned_through_seq
    ORDER BY c.last_event_seq DESC LIMIT 1;
  IF v_seq IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM set_config('keyhold.audit_prune', 'on', true);
  DELETE FROM audit_events WHERE seq <= v_seq;
  GET DIAGNOSTICS v_removed = ROW_COUNT;
  PERFORM set_config('keyhold.audit_prune', 'off', true);
  UPDATE audit_head SET pruned_through_seq = v_seq, pruned_through_hash = v_hash;
  RETURN v_removed;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION keyhold_push_state(uuid[], uuid[]), keyhold_audit_prune(timestamptz) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION keyhold_push_state(uuid[], uuid[]), keyhold_audit_prune(timestamptz),
  keyhold_authenticate(text, text) TO keyhold_app;
