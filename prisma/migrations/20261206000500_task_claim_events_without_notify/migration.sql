-- Hand-written: tasks and task claims record their live event without NOTIFY (gf_record_event), as ledger
-- entries do; the API's event hub picks them up by its tail poll (lib/events/hub.ts). Taking a task slot
-- is a hot path (a rush on a task) and fired two NOTIFYs per claim (the claim, the task's slot count),
-- which serialise the commits of every notifying transaction on the notification queue's lock: measured
-- (npm run bench -- tasks, 8 clients), claims/s went from 0.18-0.32x a raw two-statement transaction to
-- about 0.5x with this alone. Only the functions change; the triggers and the event data stay the same.

CREATE OR REPLACE FUNCTION "gf_task_event"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM gf_record_event(NEW.guild_id, 'task', jsonb_build_object(
        'taskId', NEW.id, 'op', lower(TG_OP), 'status', NEW.status, 'reward', NEW.reward::text, 'assetCode', NEW.asset_code,
        'maxClaims', NEW.max_claims, 'slotsTaken', NEW.slots_taken, 'completedCount', NEW.completed_count,
        'expiredCount', NEW.expired_count));
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION "gf_task_claim_event"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM gf_record_event(NEW.guild_id, 'task_claim', jsonb_build_object(
        'claimId', NEW.id, 'taskId', NEW.task_id, 'userId', NEW.user_id, 'status', NEW.status,
        'submissions', NEW.submissions, 'rewardPaid', NEW.reward_paid::text));
    RETURN NULL;
END
$fn$;

-- Taking a task slot in one round trip (activities/tasks/claims.ts claimTask, which words the refusals):
-- the per-(guild, member) advisory lock (the active-task limit), the look-up, the checks, then the
-- conditional UPDATE of the task's counter (max claims) and the claim's insert. The look-up runs after the
-- lock as a statement of its own, so it sees any claim of the member committed while this call waited.
-- Answers {"outcome": …} with what the caller needs: 'taken' and 'replayed' (the same claim id again: the
-- stored claim) with the claim; a refusal ('task_not_found', 'already_claimed', 'proposed', 'not_open',
-- 'not_assigned', 'active_limit', 'task_full') changes nothing but the guild's default task settings,
-- stored on first use as everywhere else.
CREATE FUNCTION "task_claim"(p_guild_id text, p_task_id int, p_user_id text, p_claim_id text) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    r record;
    v_outcome text;
    v_deadline timestamptz;
    v_slots int;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('tasks:' || p_guild_id || ':' || p_user_id, 0));
    INSERT INTO task_settings (guild_id, updated_at) VALUES (p_guild_id, now()) ON CONFLICT DO NOTHING;
    SELECT t.id AS task_id, t.name, t.status, t.deleted_at IS NOT NULL AS deleted,
           (t.expires_at IS NOT NULL AND t.expires_at <= now()) AS past_expiry, t.assigned_user_ids, t.max_claims,
           t.claim_duration_seconds, t.reward, t.asset_code, t.role_id, t.proof_type, t.slots_taken,
           s.auto_expire, s.max_active_per_user, s.reviewer_level::text AS reviewer_level, s.revoke_window_seconds,
           c.id AS claim_id, c.status AS claim_status, c.submissions AS claim_submissions, c.deadline_at AS claim_deadline,
           (SELECT count(*)::int FROM task_claims a WHERE a.guild_id = p_guild_id AND a.user_id = p_user_id AND a.status IN ('claimed', 'submitted')) AS active
      INTO r
      FROM task_settings s
      LEFT JOIN tasks t ON t.id = p_task_id AND t.guild_id = p_guild_id
      LEFT JOIN task_claims c ON c.task_id = t.id AND c.user_id = p_user_id
     WHERE s.guild_id = p_guild_id;

    v_slots := r.slots_taken;
    v_outcome := CASE
        WHEN r.task_id IS NULL OR r.deleted THEN 'task_not_found'
        WHEN r.claim_id = p_claim_id AND r.claim_status = 'claimed' AND r.claim_submissions = 0 THEN 'replayed'
        WHEN r.claim_id IS NOT NULL THEN 'already_claimed'
        WHEN r.status = 'proposed' THEN 'proposed'
        WHEN r.status <> 'active' OR (r.auto_expire AND r.past_expiry) THEN 'not_open'
        WHEN cardinality(r.assigned_user_ids) > 0 AND NOT p_user_id = ANY (r.assigned_user_ids) THEN 'not_assigned'
        WHEN r.active >= r.max_active_per_user THEN 'active_limit'
        WHEN r.max_claims IS NOT NULL AND r.slots_taken >= r.max_claims THEN 'task_full'
        ELSE 'taken' END;
    IF v_outcome = 'replayed' THEN
        v_deadline := r.claim_deadline;
    ELSIF v_outcome = 'taken' THEN
        UPDATE tasks SET slots_taken = slots_taken + 1, updated_at = now()
         WHERE id = p_task_id AND (max_claims IS NULL OR slots_taken < max_claims)
        RETURNING slots_taken INTO v_slots;
        IF NOT FOUND THEN
            v_outcome := 'task_full'; -- taken since the look-up
        ELSE
            INSERT INTO task_claims (id, guild_id, task_id, user_id, status, deadline_at, updated_at)
            VALUES (p_claim_id, p_guild_id, p_task_id, p_user_id, 'claimed', now() + make_interval(secs => r.claim_duration_seconds), now())
            RETURNING deadline_at INTO v_deadline;
        END IF;
    END IF;

    RETURN jsonb_build_object(
        'outcome', v_outcome, 'name', r.name, 'claimStatus', r.claim_status, 'active', r.active,
        'maxActivePerUser', r.max_active_per_user, 'maxClaims', r.max_claims, 'reward', r.reward::text,
        'assetCode', r.asset_code, 'roleId', r.role_id, 'proofType', r.proof_type, 'reviewerLevel', r.reviewer_level,
        'revokeWindowSeconds', r.revoke_window_seconds, 'deadlineAt', v_deadline, 'slotsTaken', v_slots);
END
$fn$;
