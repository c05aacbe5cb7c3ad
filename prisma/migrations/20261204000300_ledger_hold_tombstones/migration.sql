-- CreateTable
CREATE TABLE "ledger_hold_tombstones" (
    "key" TEXT NOT NULL,
    "voided_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_hold_tombstones_pkey" PRIMARY KEY ("key")
);

-- ─── Hand-written below: undoing a hold whatever became of it ───────────────────────────────────────
-- A saga registers the compensation of its hold step BEFORE the step, so the compensation can run when
-- the hold is pending, posted, voided, archived — or was never placed (the step failed, or its reply was
-- lost and it has not happened yet). ledger_undo_hold copes with each; for the last it leaves a
-- tombstone, and a hold placed later under that key is refused (GL004, status 'voided'), so a retried
-- or late step can never leave money reserved behind a compensation that already ran.
--
-- Race-free under READ COMMITTED: placing a hold (ledger_record's INSERT of a pending entry, through the
-- trigger below) and ledger_undo_hold take the same per-key transaction advisory lock before they look.
-- Whichever gets it first commits before the other looks again: a hold committed first is found and
-- voided (or reversed); a tombstone committed first is found by the placement, which is refused.
-- ledger_void_hold and ledger_post_hold are unchanged: voidHold stays strict (an unknown key is GL005), for
-- the callers that know the hold exists; undoHold is the compensation that copes with every outcome.

ALTER TABLE "ledger_hold_tombstones"
    ADD CONSTRAINT "ledger_hold_tombstones_key_check" CHECK (length("key") BETWEEN 1 AND 200);

-- Only holds (pending entries) pay for the lock and the lookup; transfers do not fire this trigger. The
-- lock also makes concurrent placements of one key wait for each other, which the key's unique index
-- made them do anyway. A plpgsql statement takes a fresh snapshot under READ COMMITTED, so the lookup
-- after the lock sees a tombstone committed while this waited.
CREATE FUNCTION "ledger_refuse_tombstoned_hold"() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    v_voided_at timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('ledger_hold_key'), hashtext(NEW.idempotency_key));
    SELECT t.voided_at INTO v_voided_at FROM ledger_hold_tombstones t WHERE t.key = NEW.idempotency_key;
    IF FOUND THEN
        RAISE EXCEPTION 'Hold "%" was voided before it was placed; it can no longer be placed', NEW.idempotency_key
            USING ERRCODE = 'GL004', DETAIL = jsonb_build_object('key', NEW.idempotency_key, 'status', 'voided', 'voidedAt', v_voided_at)::text;
    END IF;
    RETURN NEW;
END
$fn$;

CREATE TRIGGER "ledger_refuse_tombstoned_hold" BEFORE INSERT ON "ledger_entries"
    FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION "ledger_refuse_tombstoned_hold"();

-- Undoes the hold under p_key, whatever became of it. Returns {"outcome", "replayed", …}:
--   pending                 → voided as ledger_void_hold would:      {"outcome": "voided", "hold": entry}
--   voided (live/archived)  → nothing changes:                       {"outcome": "already_voided", "hold": entry}
--   posted (live/archived)  → a posted 'reversal' entry under p_reversal_key moves the posted amount back
--                             from the hold's `to` to its `from` (refs: holdKey, holdEntryId, plus p_refs);
--                             again: that entry, replayed:            {"outcome": "reversed", "hold": entry, "reversal": entry}
--   no entry, never archived → a tombstone (again: the same one):   {"outcome": "never_held", "key", "tombstonedAt"}
-- "replayed" is true when this call changed nothing. The reversal is an ordinary ledger_record movement:
-- a system account (sink, escrow) may go negative, a user account may not (GL001 when the hold's `to`
-- is a user who has spent it; nothing changes then). A key that is not a hold: GL005.
-- Locks: the key's advisory lock, then the hold's entry, then accounts in lock order (as ledger_void_hold
-- and ledger_post_hold: entry before accounts), so it cannot deadlock with them or with placements.
CREATE FUNCTION "ledger_undo_hold"(
    p_key text, p_reversal_key text, p_actor_type text, p_actor_id text, p_reason text, p_refs jsonb
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v record;
    v_hold jsonb;
    v_reversal jsonb;
    v_voided_at timestamptz;
BEGIN
    IF p_reversal_key IS NULL OR p_reversal_key = p_key THEN
        RAISE EXCEPTION 'The reversal needs a key of its own, not the hold''s' USING ERRCODE = 'GL006';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('ledger_hold_key'), hashtext(p_key));

    SELECT e.id, e.status, h.entry_id AS hold_id, h.debit_account_id, h.amount
      INTO v
      FROM ledger_entries e LEFT JOIN ledger_holds h ON h.entry_id = e.id
     WHERE e.idempotency_key = p_key
       FOR NO KEY UPDATE OF e;
    IF FOUND THEN
        IF v.hold_id IS NULL THEN
            RAISE EXCEPTION 'Ledger entry "%" is not a hold', p_key USING ERRCODE = 'GL005', DETAIL = jsonb_build_object('key', p_key)::text;
        END IF;
        IF v.status = 'pending' THEN
            UPDATE ledger_accounts SET held = held - v.amount, updated_at = now() WHERE id = v.debit_account_id;
            UPDATE ledger_entries SET status = 'voided', voided_at = now() WHERE id = v.id;
            RETURN jsonb_build_object('outcome', 'voided', 'replayed', false, 'hold', ledger_entry_json(v.id, false));
        END IF;
        -- Read again after the row lock: a post that committed while this waited changed the hold row too.
        v_hold := ledger_entry_json(v.id, true);
    ELSE
        -- Not live: archived (possibly by a batch this call just waited for), or never placed.
        v_hold := ledger_archived_entry_json(p_key, true);
        IF v_hold IS NULL THEN
            INSERT INTO ledger_hold_tombstones (key) VALUES (p_key) ON CONFLICT (key) DO NOTHING RETURNING voided_at INTO v_voided_at;
            IF FOUND THEN
                RETURN jsonb_build_object('outcome', 'never_held', 'replayed', false, 'key', p_key, 'tombstonedAt', v_voided_at);
            END IF;
            SELECT t.voided_at INTO v_voided_at FROM ledger_hold_tombstones t WHERE t.key = p_key;
            RETURN jsonb_build_object('outcome', 'never_held', 'replayed', true, 'key', p_key, 'tombstonedAt', v_voided_at);
        END IF;
        IF jsonb_typeof(v_hold -> 'hold') IS DISTINCT FROM 'object' THEN
            RAISE EXCEPTION 'Ledger entry "%" is not a hold', p_key USING ERRCODE = 'GL005', DETAIL = jsonb_build_object('key', p_key)::text;
        END IF;
    END IF;

    IF v_hold ->> 'status' = 'voided' THEN
        RETURN jsonb_build_object('outcome', 'already_voided', 'replayed', true, 'hold', v_hold);
    END IF;
    IF v_hold ->> 'status' <> 'posted' THEN
        RAISE EXCEPTION 'Hold "%" is %, it cannot be undone', p_key, v_hold ->> 'status'
            USING ERRCODE = 'GL004', DETAIL = jsonb_build_object('key', p_key, 'status', v_hold ->> 'status')::text;
    END IF;

    v_reversal := ledger_record(
        v_hold ->> 'guildId', p_reversal_key, 'reversal', false, p_actor_type, p_actor_id, p_reason,
        coalesce(p_refs, '{}'::jsonb) || jsonb_build_object('holdKey', p_key, 'holdEntryId', v_hold ->> 'entryId'),
        jsonb_build_array(
            jsonb_build_object('ownerType', v_hold #>> '{hold,to,ownerType}', 'ownerId', v_hold #>> '{hold,to,ownerId}',
                               'asset', v_hold #>> '{hold,asset}', 'amount', '-' || (v_hold #>> '{hold,postedAmount}')),
            jsonb_build_object('ownerType', v_hold #>> '{hold,from,ownerType}', 'ownerId', v_hold #>> '{hold,from,ownerId}',
                               'asset', v_hold #>> '{hold,asset}', 'amount', v_hold #>> '{hold,postedAmount}')));
    RETURN jsonb_build_object('outcome', 'reversed', 'replayed', (v_reversal ->> 'replayed')::boolean, 'hold', v_hold, 'reversal', v_reversal);
END
$fn$;
