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
