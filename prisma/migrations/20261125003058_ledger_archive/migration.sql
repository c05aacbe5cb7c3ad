-- Hand-written: archiving old journal entries (activities/ledger/archive.ts) without losing what they say.
-- Only functions change (CREATE OR REPLACE), so prisma/schema.prisma has nothing to add.
--
-- An archived entry moves from ledger_entries (and its postings, its hold) to ledger_archived_entries,
-- and its postings' amounts are carried by the run's checkpoint entry (type 'checkpoint'), whose posting
-- per account is the net of everything archived: every balance still equals the sum of its live
-- postings and every asset still sums to zero. ledger_archived_entries.postings keeps the entry's
-- postings as ledger_entry_json wrote them ({accountId, ownerType, ownerId, asset, amount, balanceAfter})
-- and, for a hold, one more element {"hold": <ledger_entry_json's hold>}.
--
-- An archived key still counts: ledger_record, ledger_post_hold and ledger_void_hold find it there and
-- replay it (same fingerprint) or refuse it (GL002 / GL004), exactly as for a live entry.

-- An archived entry as JSON, in ledger_entry_json's shape; NULL when the key was never archived.
CREATE OR REPLACE FUNCTION "ledger_archived_entry_json"(p_key text, p_replayed boolean) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    RETURN (
        SELECT jsonb_build_object(
            'entryId', a.id::text,
            'key', a.idempotency_key,
            'replayed', p_replayed,
            'guildId', a.guild_id,
            'type', a.type,
            'status', a.status,
            'actorType', a.actor_type,
            'actorId', a.actor_id,
            'reason', a.reason,
            'refs', a.refs,
            'createdAt', a.created_at,
            'postedAt', a.posted_at,
            'voidedAt', a.voided_at,
            'postings', coalesce((SELECT jsonb_agg(x ORDER BY o) FROM jsonb_array_elements(a.postings) WITH ORDINALITY AS p(x, o)
                                   WHERE NOT x ? 'hold'), '[]'::jsonb),
            'hold', (SELECT x -> 'hold' FROM jsonb_array_elements(a.postings) AS p(x) WHERE x ? 'hold' LIMIT 1))
          FROM ledger_archived_entries a
         WHERE a.idempotency_key = p_key);
END
$fn$;

-- Unchanged but for the archive: a key found in ledger_archived_entries replays (or conflicts) like a live one.
CREATE OR REPLACE FUNCTION "ledger_record"(
    p_guild_id text, p_key text, p_type text, p_hold boolean,
    p_actor_type text, p_actor_id text, p_reason text, p_refs jsonb, p_postings jsonb
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_asset_ids int[];
    v_assets text[];
    v_owner_types text[];
    v_owner_ids text[];
    v_amounts bigint[];
    v_fingerprint text;
    v_n int;
    v_distinct int;
    v_invalid int;
    v_unknown text;
    v_asset_count int;
    v_total numeric;
    v_entry_id bigint;
    v_created_at timestamptz;
    v_existing record;
    v_ids bigint[];
    v_balances bigint[];
    v_postings jsonb := '[]'::jsonb;
    v_id bigint;
    v_balance bigint;
    v_held bigint;
    v_amount bigint;
    v_debit int;
    v_credit int;
BEGIN
    IF jsonb_typeof(p_postings) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'postings must be a JSON array' USING ERRCODE = 'GL006';
    END IF;

    -- Resolve the assets and sort the postings in lock order: (asset id, owner type, owner id), the
    -- order of the accounts' unique index. The fingerprint is taken in that order, so it does not
    -- depend on the caller's.
    SELECT array_agg(x.asset_id), array_agg(x.asset), array_agg(x.owner_type), array_agg(x.owner_id), array_agg(x.amount),
           md5(concat_ws(E'\n', p_guild_id, p_type, CASE WHEN p_hold THEN 'hold' ELSE 'record' END,
                         string_agg(concat_ws(' ', x.asset, x.owner_type, x.owner_id, x.amount), E'\n'))),
           count(*),
           count(DISTINCT (x.asset, x.owner_type, x.owner_id)),
           count(*) FILTER (WHERE x.amount IS NULL OR x.amount = 0 OR x.asset IS NULL OR x.owner_type IS NULL OR x.owner_id IS NULL),
           min(x.asset) FILTER (WHERE x.asset_id IS NULL),
           count(DISTINCT x.asset),
           sum(x.amount)
      INTO v_asset_ids, v_assets, v_owner_types, v_owner_ids, v_amounts, v_fingerprint, v_n, v_distinct, v_invalid, v_unknown, v_asset_count, v_total
      FROM (SELECT s.id AS asset_id, j.asset, j."ownerType" AS owner_type, j."ownerId" AS owner_id, j.amount
              FROM jsonb_to_recordset(p_postings) AS j(asset text, "ownerType" text, "ownerId" text, amount bigint)
              LEFT JOIN ledger_assets s ON s.guild_id = p_guild_id AND s.code = j.asset
             ORDER BY s.id, j."ownerType" COLLATE "C", j."ownerId" COLLATE "C") AS x;

    IF v_n < 2 OR v_distinct <> v_n OR v_invalid > 0 THEN
        RAISE EXCEPTION 'An entry needs at least two postings, each with an asset, an owner and a non-zero amount, and one posting per account'
            USING ERRCODE = 'GL006';
    END IF;
    IF v_unknown IS NOT NULL THEN
        RAISE EXCEPTION 'Guild % has no asset "%"', p_guild_id, v_unknown
            USING ERRCODE = 'GL003', DETAIL = jsonb_build_object('guildId', p_guild_id, 'asset', v_unknown)::text;
    END IF;
    IF (v_asset_count = 1 AND v_total <> 0)
       OR (v_asset_count > 1 AND EXISTS (SELECT 1 FROM unnest(v_asset_ids, v_amounts) AS u(asset_id, amount) GROUP BY u.asset_id HAVING sum(u.amount) <> 0)) THEN
        RAISE EXCEPTION 'Postings must sum to zero for each asset' USING ERRCODE = 'GL006';
    END IF;
    IF p_hold AND (v_n <> 2 OR v_asset_count <> 1) THEN
        RAISE EXCEPTION 'A hold moves one asset from one account to another (exactly two postings)' USING ERRCODE = 'GL006';
    END IF;

    -- Claim the key. A concurrent call with the same key waits here until the first commits (then
    -- replays it) or rolls back (then goes ahead); so does a call racing an archive batch that is moving
    -- the key's entry (then goes ahead, and finds the key archived just below).
    INSERT INTO ledger_entries (guild_id, idempotency_key, fingerprint, type, status, actor_type, actor_id, reason, refs, posted_at)
    VALUES (p_guild_id, p_key, v_fingerprint, p_type, CASE WHEN p_hold THEN 'pending' ELSE 'posted' END,
            p_actor_type, p_actor_id, p_reason, coalesce(p_refs, '{}'::jsonb), CASE WHEN p_hold THEN NULL ELSE now() END)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, created_at INTO v_entry_id, v_created_at;

    IF v_entry_id IS NULL THEN
        SELECT e.id, e.fingerprint INTO v_existing FROM ledger_entries e WHERE e.idempotency_key = p_key;
        IF NOT FOUND THEN
            -- Archived since the INSERT saw it?
            SELECT a.id, a.fingerprint INTO v_existing FROM ledger_archived_entries a WHERE a.idempotency_key = p_key;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'Idempotency key "%" is being changed concurrently; try again', p_key USING ERRCODE = 'serialization_failure';
            END IF;
            IF v_existing.fingerprint <> v_fingerprint THEN
                RAISE EXCEPTION 'Idempotency key "%" was already used for a different movement (entry %)', p_key, v_existing.id
                    USING ERRCODE = 'GL002', DETAIL = jsonb_build_object('key', p_key, 'entryId', v_existing.id::text)::text;
            END IF;
            RETURN ledger_archived_entry_json(p_key, true);
        END IF;
        IF v_existing.fingerprint <> v_fingerprint THEN
            RAISE EXCEPTION 'Idempotency key "%" was already used for a different movement (entry %)', p_key, v_existing.id
                USING ERRCODE = 'GL002', DETAIL = jsonb_build_object('key', p_key, 'entryId', v_existing.id::text)::text;
        END IF;
        RETURN ledger_entry_json(v_existing.id, true);
    END IF;

    -- A key whose entry was archived still counts. Looked up after the claim: an archive batch moving
    -- this key's entry has committed by now (the INSERT waited for it), so this statement's snapshot sees it.
    SELECT a.id, a.fingerprint INTO v_existing FROM ledger_archived_entries a WHERE a.idempotency_key = p_key;
    IF FOUND THEN
        DELETE FROM ledger_entries WHERE id = v_entry_id;
        IF v_existing.fingerprint <> v_fingerprint THEN
            RAISE EXCEPTION 'Idempotency key "%" was already used for a different movement (entry %)', p_key, v_existing.id
                USING ERRCODE = 'GL002', DETAIL = jsonb_build_object('key', p_key, 'entryId', v_existing.id::text)::text;
        END IF;
        RETURN ledger_archived_entry_json(p_key, true);
    END IF;

    -- One account at a time, in lock order: lock, check and change it in one UPDATE (a user's debit
    -- only when balance - held covers it), creating it first when it is new. Locks and creations in one
    -- global order: concurrent movements wait for each other but never deadlock.
    FOR i IN 1 .. v_n LOOP
        v_amount := v_amounts[i];
        -- A hold changes only the debited account's `held`; its credit account need only exist.
        LOOP
            IF p_hold AND v_amount > 0 THEN
                SELECT a.id, a.balance INTO v_id, v_balance FROM ledger_accounts a
                 WHERE a.guild_id = p_guild_id AND a.asset_id = v_asset_ids[i] AND a.owner_type = v_owner_types[i] AND a.owner_id = v_owner_ids[i];
            ELSE
                UPDATE ledger_accounts a
                   SET balance = a.balance + CASE WHEN p_hold THEN 0 ELSE v_amount END,
                       held = a.held - CASE WHEN p_hold THEN v_amount ELSE 0 END,
                       updated_at = now()
                 WHERE a.guild_id = p_guild_id AND a.asset_id = v_asset_ids[i] AND a.owner_type = v_owner_types[i] AND a.owner_id = v_owner_ids[i]
                   AND (a.owner_type <> 'user' OR v_amount > 0 OR a.balance - a.held + v_amount >= 0)
                RETURNING a.id, a.balance INTO v_id, v_balance;
            END IF;
            EXIT WHEN FOUND;

            IF v_owner_types[i] = 'user' AND v_amount < 0 THEN
                SELECT a.id, a.balance, a.held INTO v_id, v_balance, v_held FROM ledger_accounts a
                 WHERE a.guild_id = p_guild_id AND a.asset_id = v_asset_ids[i] AND a.owner_type = 'user' AND a.owner_id = v_owner_ids[i];
                v_balance := coalesce(v_balance, 0);
                v_held := coalesce(v_held, 0);
                RAISE EXCEPTION 'Insufficient funds: user % has % % available, % needed', v_owner_ids[i], v_balance - v_held, v_assets[i], -v_amount
                    USING ERRCODE = 'GL001', DETAIL = jsonb_build_object(
                        'accountId', v_id::text, 'ownerType', 'user', 'ownerId', v_owner_ids[i], 'asset', v_assets[i],
                        'balance', v_balance::text, 'held', v_held::text, 'available', (v_balance - v_held)::text,
                        'requested', (-v_amount)::text)::text;
            END IF;

            -- A new account. If another call creates it first, this waits for that call and tries again.
            INSERT INTO ledger_accounts (guild_id, asset_id, owner_type, owner_id, balance, held)
            VALUES (p_guild_id, v_asset_ids[i], v_owner_types[i], v_owner_ids[i],
                    CASE WHEN p_hold THEN 0 ELSE v_amount END, CASE WHEN p_hold AND v_amount < 0 THEN -v_amount ELSE 0 END)
            ON CONFLICT (guild_id, asset_id, owner_type, owner_id) DO NOTHING
            RETURNING id, balance INTO v_id, v_balance;
            EXIT WHEN FOUND;
        END LOOP;
        v_ids[i] := v_id;
        v_balances[i] := v_balance;
        IF NOT p_hold THEN
            v_postings := v_postings || jsonb_build_object('accountId', v_id::text, 'ownerType', v_owner_types[i], 'ownerId', v_owner_ids[i],
                                                           'asset', v_assets[i], 'amount', v_amount::text, 'balanceAfter', v_balance::text);
        END IF;
    END LOOP;

    IF p_hold THEN
        v_debit := CASE WHEN v_amounts[1] < 0 THEN 1 ELSE 2 END;
        v_credit := 3 - v_debit;
        INSERT INTO ledger_holds (entry_id, debit_account_id, credit_account_id, amount)
        VALUES (v_entry_id, v_ids[v_debit], v_ids[v_credit], -v_amounts[v_debit]);
    ELSE
        INSERT INTO ledger_postings (entry_id, account_id, amount, balance_after)
        SELECT v_entry_id, u.id, u.amount, u.balance FROM unnest(v_ids, v_amounts, v_balances) AS u(id, amount, balance);
    END IF;

    RETURN jsonb_build_object(
        'entryId', v_entry_id::text,
        'key', p_key,
        'replayed', false,
        'guildId', p_guild_id,
        'type', p_type,
        'status', CASE WHEN p_hold THEN 'pending' ELSE 'posted' END,
        'actorType', p_actor_type,
        'actorId', p_actor_id,
        'reason', p_reason,
        'refs', coalesce(p_refs, '{}'::jsonb),
        'createdAt', v_created_at,
        'postedAt', CASE WHEN p_hold THEN NULL ELSE v_created_at END,
        'voidedAt', NULL,
        'postings', v_postings,
        'hold', CASE WHEN p_hold THEN jsonb_build_object(
                    'from', jsonb_build_object('ownerType', v_owner_types[v_debit], 'ownerId', v_owner_ids[v_debit]),
                    'to', jsonb_build_object('ownerType', v_owner_types[v_credit], 'ownerId', v_owner_ids[v_credit]),
                    'asset', v_assets[1], 'amount', (-v_amounts[v_debit])::text, 'postedAmount', NULL) END);
END
$fn$;

-- What ledger_post_hold / ledger_void_hold answer for a key that is not live: an archived hold replays or
-- is refused as a live one would be (archived holds are posted or voided, never pending); anything else
-- raises GL005. p_post: posting (p_amount as there) or voiding.
CREATE OR REPLACE FUNCTION "ledger_archived_hold"(p_key text, p_post boolean, p_amount bigint) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_status text;
    v_hold jsonb;
BEGIN
    SELECT a.status, (SELECT x -> 'hold' FROM jsonb_array_elements(a.postings) AS p(x) WHERE x ? 'hold' LIMIT 1)
      INTO v_status, v_hold
      FROM ledger_archived_entries a WHERE a.idempotency_key = p_key;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No ledger entry has the key "%"', p_key USING ERRCODE = 'GL005', DETAIL = jsonb_build_object('key', p_key)::text;
    END IF;
    IF v_hold IS NULL THEN
        RAISE EXCEPTION 'Ledger entry "%" is not a hold', p_key USING ERRCODE = 'GL005', DETAIL = jsonb_build_object('key', p_key)::text;
    END IF;
    IF p_post THEN
        IF v_status = 'posted' THEN
            IF p_amount IS NOT NULL AND p_amount <> (v_hold ->> 'postedAmount')::bigint THEN
                RAISE EXCEPTION 'Hold "%" was already posted for %, not %', p_key, v_hold ->> 'postedAmount', p_amount
                    USING ERRCODE = 'GL004', DETAIL = jsonb_build_object('key', p_key, 'status', 'posted', 'postedAmount', v_hold ->> 'postedAmount')::text;
            END IF;
            RETURN ledger_archived_entry_json(p_key, true);
        END IF;
        RAISE EXCEPTION 'Hold "%" is %, it can no longer be posted', p_key, v_status
            USING ERRCODE = 'GL004', DETAIL = jsonb_build_object('key', p_key, 'status', v_status)::text;
    END IF;
    IF v_status = 'voided' THEN
        RETURN ledger_archived_entry_json(p_key, true);
    END IF;
    RAISE EXCEPTION 'Hold "%" is %, it can no longer be voided', p_key, v_status
        USING ERRCODE = 'GL004', DETAIL = jsonb_build_object('key', p_key, 'status', v_status, 'postedAmount', v_hold ->> 'postedAmount')::text;
END
$fn$;

-- Unchanged but for an archived key (ledger_archived_hold).
CREATE OR REPLACE FUNCTION "ledger_post_hold"(p_key text, p_amount bigint) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v record;
    v_amount bigint;
    v_debit_balance bigint;
    v_credit_balance bigint;
BEGIN
    -- The entry first (only the hold functions and the archive lock entries), then the accounts in lock order.
    SELECT e.id, e.status, h.entry_id AS hold_id, h.debit_account_id, h.credit_account_id, h.amount, h.posted_amount,
           (d.owner_type COLLATE "C", d.owner_id COLLATE "C") < (c.owner_type COLLATE "C", c.owner_id COLLATE "C") AS debit_first
      INTO v
      FROM ledger_entries e
      LEFT JOIN ledger_holds h ON h.entry_id = e.id
      LEFT JOIN ledger_accounts d ON d.id = h.debit_account_id
      LEFT JOIN ledger_accounts c ON c.id = h.credit_account_id
     WHERE e.idempotency_key = p_key
       FOR NO KEY UPDATE OF e;
    IF NOT FOUND THEN
        -- Not live: archived (possibly by a batch this call just waited for), or unknown.
        RETURN ledger_archived_hold(p_key, true, p_amount);
    END IF;
    IF v.hold_id IS NULL THEN
        RAISE EXCEPTION 'Ledger entry "%" is not a hold', p_key USING ERRCODE = 'GL005', DETAIL = jsonb_build_object('key', p_key)::text;
    END IF;
    IF v.status = 'posted' THEN
        IF p_amount IS NOT NULL AND p_amount <> v.posted_amount THEN
            RAISE EXCEPTION 'Hold "%" was already posted for %, not %', p_key, v.posted_amount, p_amount
                USING ERRCODE = 'GL004', DETAIL = jsonb_build_object('key', p_key, 'status', 'posted', 'postedAmount', v.posted_amount::text)::text;
        END IF;
        RETURN ledger_entry_json(v.id, true);
    END IF;
    IF v.status <> 'pending' THEN
        RAISE EXCEPTION 'Hold "%" is %, it can no longer be posted', p_key, v.status
            USING ERRCODE = 'GL004', DETAIL = jsonb_build_object('key', p_key, 'status', v.status)::text;
    END IF;
    v_amount := coalesce(p_amount, v.amount);
    IF v_amount <= 0 OR v_amount > v.amount THEN
        RAISE EXCEPTION 'Hold "%" can post from 1 to %, not %', p_key, v.amount, v_amount USING ERRCODE = 'GL006';
    END IF;

    -- Both accounts hold the same asset, so the lock order is (owner type, owner id).
    FOR i IN 1 .. 2 LOOP
        IF (i = 1) = v.debit_first THEN
            UPDATE ledger_accounts SET balance = balance - v_amount, held = held - v.amount, updated_at = now()
             WHERE id = v.debit_account_id RETURNING balance INTO v_debit_balance;
        ELSE
            UPDATE ledger_accounts SET balance = balance + v_amount, updated_at = now()
             WHERE id = v.credit_account_id RETURNING balance INTO v_credit_balance;
        END IF;
    END LOOP;
    INSERT INTO ledger_postings (entry_id, account_id, amount, balance_after)
    VALUES (v.id, v.debit_account_id, -v_amount, v_debit_balance), (v.id, v.credit_account_id, v_amount, v_credit_balance);
    UPDATE ledger_holds SET posted_amount = v_amount WHERE entry_id = v.id;
    UPDATE ledger_entries SET status = 'posted', posted_at = now() WHERE id = v.id;
    RETURN ledger_entry_json(v.id, false);
END
$fn$;

-- Unchanged but for an archived key (ledger_archived_hold).
CREATE OR REPLACE FUNCTION "ledger_void_hold"(p_key text) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v record;
BEGIN
    SELECT e.id, e.status, h.entry_id AS hold_id, h.debit_account_id, h.amount, h.posted_amount
      INTO v
      FROM ledger_entries e LEFT JOIN ledger_holds h ON h.entry_id = e.id
     WHERE e.idempotency_key = p_key
       FOR NO KEY UPDATE OF e;
    IF NOT FOUND THEN
        RETURN ledger_archived_hold(p_key, false, NULL);
    END IF;
    IF v.hold_id IS NULL THEN
        RAISE EXCEPTION 'Ledger entry "%" is not a hold', p_key USING ERRCODE = 'GL005', DETAIL = jsonb_build_object('key', p_key)::text;
    END IF;
    IF v.status = 'voided' THEN
        RETURN ledger_entry_json(v.id, true);
    END IF;
    IF v.status <> 'pending' THEN
        RAISE EXCEPTION 'Hold "%" is %, it can no longer be voided', p_key, v.status
            USING ERRCODE = 'GL004', DETAIL = jsonb_build_object('key', p_key, 'status', v.status, 'postedAmount', v.posted_amount::text)::text;
    END IF;

    UPDATE ledger_accounts SET held = held - v.amount, updated_at = now() WHERE id = v.debit_account_id;
    UPDATE ledger_entries SET status = 'voided', voided_at = now() WHERE id = v.id;
    RETURN ledger_entry_json(v.id, false);
END
$fn$;

-- One archive batch, one transaction: up to p_limit of the guild's posted or voided entries created before
-- p_before (never a pending hold; never the run's own checkpoint), oldest first, move to
-- ledger_archived_entries, and the run's checkpoint entry (p_checkpoint_key; created by the first batch
-- that archives something) takes over their postings: its posting on each account becomes its previous
-- amount plus the net of the batch's postings there (balance_after: that same amount, the balance the
-- archived history leaves the account with). Postings are append-only (ledger_postings_immutable refuses
-- UPDATE), so a changed checkpoint posting is deleted and inserted again, and the archived entries'
-- postings and holds go with their entries (ON DELETE CASCADE), all in this transaction: balances never
-- change and always equal the sum of the live postings.
-- Locks: an advisory lock per guild (one batch of a guild at a time), then the batch's entries in id
-- order (FOR UPDATE: waits for a post/void replay holding one; movements lock no existing entry). No
-- account row is locked or changed — a checkpoint posting's foreign key takes KEY SHARE, which movements'
-- updates do not conflict with — so movements and archive batches cannot deadlock.
-- Returns {"archived": n, "checkpointEntryId": id or null}; n < p_limit means nothing is left.
CREATE OR REPLACE FUNCTION "ledger_archive_batch"(
    p_guild_id text, p_before timestamptz, p_checkpoint_key text, p_limit int, p_actor_type text, p_actor_id text
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_checkpoint record;
    v_checkpoint_id bigint;
    v_ids bigint[];
    v_accounts bigint[];
    v_amounts bigint[];
BEGIN
    IF p_limit IS NULL OR p_limit < 1 OR p_limit > 10000 THEN
        RAISE EXCEPTION 'The batch size must be 1 to 10000' USING ERRCODE = 'GL006';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('ledger_archive'), hashtext(p_guild_id));

    SELECT e.id, e.guild_id, e.type INTO v_checkpoint FROM ledger_entries e WHERE e.idempotency_key = p_checkpoint_key;
    IF FOUND THEN
        IF v_checkpoint.guild_id <> p_guild_id OR v_checkpoint.type <> 'checkpoint' THEN
            RAISE EXCEPTION 'The key "%" is not a checkpoint of guild %', p_checkpoint_key, p_guild_id USING ERRCODE = 'GL006';
        END IF;
        v_checkpoint_id := v_checkpoint.id;
    ELSIF EXISTS (SELECT 1 FROM ledger_archived_entries a WHERE a.idempotency_key = p_checkpoint_key) THEN
        RAISE EXCEPTION 'The checkpoint "%" was archived itself; start a new run', p_checkpoint_key USING ERRCODE = 'GL006';
    END IF;

    SELECT array_agg(b.id ORDER BY b.id) INTO v_ids FROM (
        SELECT e.id FROM ledger_entries e
         WHERE e.guild_id = p_guild_id AND e.status IN ('posted', 'voided') AND e.created_at < p_before
           AND e.id IS DISTINCT FROM v_checkpoint_id
         ORDER BY e.id
         LIMIT p_limit
           FOR UPDATE) b;
    IF v_ids IS NULL THEN
        RETURN jsonb_build_object('archived', 0, 'checkpointEntryId', v_checkpoint_id::text);
    END IF;

    IF v_checkpoint_id IS NULL THEN
        INSERT INTO ledger_entries (guild_id, idempotency_key, fingerprint, type, status, actor_type, actor_id, reason, refs, posted_at)
        VALUES (p_guild_id, p_checkpoint_key, md5('checkpoint' || E'\n' || p_checkpoint_key), 'checkpoint', 'posted', p_actor_type, p_actor_id,
                'Archived entries created before ' || to_char(p_before AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                jsonb_build_object('archivedBefore', to_char(p_before AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), now())
        RETURNING id INTO v_checkpoint_id;
    END IF;

    INSERT INTO ledger_archived_entries (id, guild_id, idempotency_key, fingerprint, type, status, actor_type, actor_id, reason, refs,
                                         postings, created_at, posted_at, voided_at, checkpoint_entry_id)
    SELECT e.id, e.guild_id, e.idempotency_key, e.fingerprint, e.type, e.status, e.actor_type, e.actor_id, e.reason, e.refs,
           (j -> 'postings') || CASE WHEN jsonb_typeof(j -> 'hold') = 'object' THEN jsonb_build_array(jsonb_build_object('hold', j -> 'hold'))
                                     ELSE '[]'::jsonb END,
           e.created_at, e.posted_at, e.voided_at, v_checkpoint_id
      FROM ledger_entries e CROSS JOIN LATERAL ledger_entry_json(e.id, false) AS j
     WHERE e.id = ANY(v_ids);

    -- The checkpoint's new postings: what it carried plus the batch's net, per account.
    SELECT array_agg(n.account_id ORDER BY n.account_id), array_agg(n.total ORDER BY n.account_id)
      INTO v_accounts, v_amounts
      FROM (SELECT p.account_id, sum(p.amount)::bigint AS total FROM ledger_postings p
             WHERE p.entry_id = v_checkpoint_id OR p.entry_id = ANY(v_ids)
             GROUP BY p.account_id) n
     WHERE n.total <> 0;

    DELETE FROM ledger_postings WHERE entry_id = v_checkpoint_id;
    DELETE FROM ledger_entries WHERE id = ANY(v_ids);
    INSERT INTO ledger_postings (entry_id, account_id, amount, balance_after)
    SELECT v_checkpoint_id, u.account_id, u.amount, u.amount FROM unnest(v_accounts, v_amounts) AS u(account_id, amount);

    RETURN jsonb_build_object('archived', cardinality(v_ids), 'checkpointEntryId', v_checkpoint_id::text);
END
$fn$;

-- A deleted guild takes its archived entries with it too (ledger_archived_entries has no foreign keys).
CREATE OR REPLACE FUNCTION "ledger_delete_guild_entries"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM ledger_entries WHERE guild_id = OLD.id;
    DELETE FROM ledger_archived_entries WHERE guild_id = OLD.id;
    RETURN NULL;
END
$fn$;
