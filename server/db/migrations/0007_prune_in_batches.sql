-- Housekeeping finds expired tokens through an index instead of reading every token
-- (keyhold_prune_tokens, 0006), at the cost of one more index entry per token written.
CREATE INDEX "tokens_expires_idx" ON "tokens" USING btree ("expires_at");
--> statement-breakpoint
-- Retention prunes the audit log in batches (docs/audit.md, "Retention"). keyhold_audit_prune deleted
-- every event up to the newest checkpoint past the cutoff in one statement while holding the head row,
-- which every request that records an event waits for: a lowered AUDIT_RETENTION_DAYS, or a sealer
-- that had not run for a while, stopped every write for as long as that delete took. Now each call
-- cuts at the newest eligible checkpoint at most p_limit events past the last cut (else at the
-- oldest eligible one: a checkpoint is the finest cut the verifier accepts), and the sealer calls it
-- in short transactions of their own until nothing is left to prune.
DROP FUNCTION keyhold_audit_prune(timestamptz);
--> statement-breakpoint
CREATE FUNCTION keyhold_audit_prune(p_before timestamptz, p_limit integer) RETURNS bigint
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
      AND c.last_event_seq <= v_head.pruned_through_seq + greatest(p_limit, 1)
    ORDER BY c.last_event_seq DESC LIMIT 1;
  IF v_seq IS NULL THEN
    SELECT c.last_event_seq, c.head_hash INTO v_seq, v_hash
      FROM audit_checkpoints c JOIN audit_events e ON e.seq = c.last_event_seq
      WHERE e.at < p_before AND c.last_event_seq > v_head.pruned_through_seq
      ORDER BY c.last_event_seq ASC LIMIT 1;
  END IF;
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
REVOKE ALL ON FUNCTION keyhold_audit_prune(timestamptz, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION keyhold_audit_prune(timestamptz, integer) TO keyhold_app;
