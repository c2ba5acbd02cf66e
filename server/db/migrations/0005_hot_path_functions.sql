-- The hot paths in one round trip each (docs/sync.md, "Cost of a request"): an authenticated
-- request's token check, a pull, a push stream's opening read and a push's lock. Every function
-- runs with the caller's rights (SECURITY INVOKER, the default) and declares the account it acts
-- for in the same transaction-local settings inScope uses, before it reads any row: the row-level
-- security policies of 0002 apply to everything they touch, exactly as to the statements they replace.
--
-- keyhold_authorize: every request to a protected route. Records the DPoP proof's id (the replay
-- store, committed without waiting for the WAL flush as before), finds the access token by the first
-- of its candidate hashes that matches (current pepper, previous pepper, pre-pepper form), with its
-- session and its account's revision, and writes the session's last use when it is a minute old —
-- only for a request that passes every check made here (bound key, fresh proof, live unexpired
-- token and session within its idle and absolute limits). Nothing is cached anywhere: a revoked
-- token or session fails on the very next request. Always one row: `fresh` (the proof id was new)
-- and, when the token is known, its facts.
CREATE FUNCTION keyhold_authorize(
    p_hashes text[], p_proof_id text, p_proof_expires_at timestamptz, p_at timestamptz, p_jkt text,
    p_touch_until timestamptz, p_idle_after timestamptz, p_absolute_after timestamptz, p_ip text)
  RETURNS TABLE (fresh boolean, hash text, account_id uuid, session_id uuid, scopes text[],
                 expires_at timestamptz, revoked_at timestamptz, session_revoked_at timestamptz,
                 account_revision bigint, jkt text, session_created_at timestamptz,
                 session_last_seen_at timestamptz)
  LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  v_fresh boolean;
  v_hash text;
  v_account uuid;
  r record;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  INSERT INTO dpop_proofs AS d (id, expires_at) VALUES (p_proof_id, p_proof_expires_at)
    ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE d.expires_at < p_at;
  v_fresh := FOUND;
  FOREACH v_hash IN ARRAY p_hashes LOOP
    PERFORM set_config('keyhold.token_hash', v_hash, true);
    SELECT t.account_id INTO v_account FROM tokens t WHERE t.hash = v_hash AND t.kind = 'access';
    EXIT WHEN v_account IS NOT NULL;
  END LOOP;
  IF v_account IS NULL THEN
    RETURN QUERY SELECT v_fresh, NULL::text, NULL::uuid, NULL::uuid, NULL::text[], NULL::timestamptz,
      NULL::timestamptz, NULL::timestamptz, NULL::bigint, NULL::text, NULL::timestamptz, NULL::timestamptz;
    RETURN;
  END IF;
  PERFORM set_config('keyhold.account_id', v_account::text, true);
  SELECT t.account_id, t.session_id, t.scopes, t.expires_at, t.revoked_at, s.revoked_at AS session_revoked_at,
         a.revision, s.jkt, s.created_at, s.last_seen_at
    INTO r
    FROM tokens t
    JOIN device_sessions s ON s.id = t.session_id
    JOIN accounts a ON a.id = t.account_id
    WHERE t.hash = v_hash AND t.kind = 'access';
  IF NOT FOUND THEN
    RETURN QUERY SELECT v_fresh, NULL::text, NULL::uuid, NULL::uuid, NULL::text[], NULL::timestamptz,
      NULL::timestamptz, NULL::timestamptz, NULL::bigint, NULL::text, NULL::timestamptz, NULL::timestamptz;
    RETURN;
  END IF;
  IF v_fresh AND r.jkt = p_jkt AND r.revoked_at IS NULL AND r.session_revoked_at IS NULL
     AND r.expires_at > p_at AND r.last_seen_at <= p_touch_until
     AND r.last_seen_at > p_idle_after AND r.created_at > p_absolute_after THEN
    UPDATE device_sessions s SET last_seen_at = p_at, last_ip = coalesce(p_ip, s.last_ip)
      WHERE s.id = r.session_id AND s.revoked_at IS NULL AND s.last_seen_at < p_at;
  END IF;
  RETURN QUERY SELECT v_fresh, v_hash, r.account_id, r.session_id, r.scopes, r.expires_at, r.revoked_at,
    r.session_revoked_at, r.revision, r.jkt, r.created_at, r.last_seen_at;
END $$;
--> statement-breakpoint
-- A pull: the account's items changed after p_since, in revision order, at most p_limit.
CREATE FUNCTION keyhold_changes(p_account uuid, p_since bigint, p_limit integer)
  RETURNS SETOF items LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM set_config('keyhold.account_id', p_account::text, true);
  RETURN QUERY SELECT * FROM items i WHERE i.account_id = p_account AND i.revision > p_since
    ORDER BY i.revision LIMIT p_limit;
END $$;
--> statement-breakpoint
-- A push stream's opening read, after it subscribed: the account's revision and whether the
-- session has ended meanwhile (no row: the session or its account is gone).
CREATE FUNCTION keyhold_stream_state(p_account uuid, p_session uuid)
  RETURNS TABLE (revision bigint, revoked_at timestamptz) LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('keyhold.account_id', p_account::text, true);
  RETURN QUERY SELECT a.revision, s.revoked_at FROM device_sessions s
    JOIN accounts a ON a.id = s.account_id WHERE s.id = p_session;
END $$;
--> statement-breakpoint
-- A push's first statement, inside its transaction: declares the account for the rest of it, locks
-- the account row (FOR NO KEY UPDATE: pushes, sign-ins and key changes still queue behind each
-- other, while inserts that only reference the account — a token, a session — do not wait), and
-- reads what the push decides on: the revision and key versions, and the stored copies of the
-- pushed ids (one row per stored item, or one row without item when none is stored). No row: the
-- account is gone.
CREATE FUNCTION keyhold_push_lock(p_account uuid, p_ids uuid[])
  RETURNS TABLE (revision bigint, key_version integer, rotation_key_version integer, item_id uuid,
                 item_revision bigint, item_deleted boolean, item_key_version integer,
                 item_ciphertext text, item_created_at timestamptz, item_updated_at timestamptz)
  LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  a record;
BEGIN
  PERFORM set_config('keyhold.account_id', p_account::text, true);
  SELECT ac.revision, ac.key_version, ac.rotation_key_version INTO a
    FROM accounts ac WHERE ac.id = p_account FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT a.revision, a.key_version, a.rotation_key_version, i.id, i.revision, i.deleted,
      i.key_version, i.ciphertext, i.created_at, i.updated_at
    FROM (SELECT 1) one
    LEFT JOIN items i ON i.account_id = p_account AND i.id = ANY (p_ids);
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION
  keyhold_authorize(text[], text, timestamptz, timestamptz, text, timestamptz, timestamptz, timestamptz, text),
  keyhold_changes(uuid, bigint, integer), keyhold_stream_state(uuid, uuid), keyhold_push_lock(uuid, uuid[])
  FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION
  keyhold_authorize(text[], text, timestamptz, timestamptz, text, timestamptz, timestamptz, timestamptz, text),
  keyhold_changes(uuid, bigint, integer), keyhold_stream_state(uuid, uuid), keyhold_push_lock(uuid, uuid[])
  TO keyhold_app;
