-- Housekeeping (server/housekeeping.ts, docs/operations/database.md "Housekeeping"): the rows no
-- request will need again are deleted in bounded batches, by one server process at a time. Sessions
-- and tokens of every account are involved, which no account's row-level security lets the
-- application role see at once, so both deletes are definer functions (owned by the tables' owner,
-- whose policies of 0002 allow everything), with a fixed search_path, executable by keyhold_app only.
-- Neither takes any input but times and a batch size: they cannot be aimed at a chosen row.
--
-- keyhold_prune_sessions: up to p_limit sessions that ended before their cutoff — revoked before
-- p_revoked_before, or never revoked but past their idle limit (last seen before p_idle_before) or
-- their absolute limit (signed in before p_created_before) — with their tokens. Returns how many of each.
CREATE FUNCTION keyhold_prune_sessions(
    p_revoked_before timestamptz, p_idle_before timestamptz, p_created_before timestamptz, p_limit integer)
  RETURNS TABLE (sessions bigint, tokens bigint)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_ids uuid[];
  v_tokens bigint;
  v_sessions bigint;
BEGIN
  SELECT coalesce(array_agg(s.id), '{}') INTO v_ids FROM (
    SELECT d.id FROM device_sessions d
      WHERE d.revoked_at < p_revoked_before
         OR (d.revoked_at IS NULL AND (d.last_seen_at < p_idle_before OR d.created_at < p_created_before))
      LIMIT p_limit
      FOR UPDATE SKIP LOCKED) s;
  DELETE FROM tokens t WHERE t.session_id = ANY (v_ids);
  GET DIAGNOSTICS v_tokens = ROW_COUNT;
  DELETE FROM device_sessions d WHERE d.id = ANY (v_ids);
  GET DIAGNOSTICS v_sessions = ROW_COUNT;
  RETURN QUERY SELECT v_sessions, v_tokens;
END $$;
--> statement-breakpoint
-- keyhold_prune_tokens: up to p_limit tokens of sessions that have not been revoked, expired before
-- p_expired_before and no longer needed: access tokens, and refresh tokens already used or revoked.
-- A revoked session keeps its tokens (they answer SESSION_ENDED with its reason) until it goes
-- itself; a live session's newest refresh token stays too (it answers `idle`/`absolute`).
CREATE FUNCTION keyhold_prune_tokens(p_expired_before timestamptz, p_limit integer) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_removed bigint;
BEGIN
  DELETE FROM tokens WHERE hash IN (
    SELECT t.hash FROM tokens t JOIN device_sessions d ON d.id = t.session_id
      WHERE t.expires_at < p_expired_before AND d.revoked_at IS NULL
        AND (t.kind = 'access' OR t.used_at IS NOT NULL OR t.revoked_at IS NOT NULL)
      LIMIT p_limit
      FOR UPDATE OF t SKIP LOCKED);
  GET DIAGNOSTICS v_removed = ROW_COUNT;
  RETURN v_removed;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION keyhold_prune_sessions(timestamptz, timestamptz, timestamptz, integer),
  keyhold_prune_tokens(timestamptz, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION keyhold_prune_sessions(timestamptz, timestamptz, timestamptz, integer),
  keyhold_prune_tokens(timestamptz, integer) TO keyhold_app;
