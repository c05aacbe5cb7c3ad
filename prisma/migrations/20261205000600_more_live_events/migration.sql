-- More kinds for the live-events feed: tasks, task claims, code orders, top-ups, inventory movements and
-- verification runs, each from its own trigger through gf_emit_event (low-rate changes: NOTIFY is cheap
-- here, unlike the ledger's hot path). Event data carries ids, statuses, amounts and counts only: never a
-- code, a payment's QR string/URL or gateway transaction id, a proof, or anything a member typed.

-- Tasks: created, and changes members see (status, slots, completions, reward).
CREATE FUNCTION "gf_task_event"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM gf_emit_event(NEW.guild_id, 'task', jsonb_build_object(
        'taskId', NEW.id, 'op', lower(TG_OP), 'status', NEW.status, 'reward', NEW.reward::text, 'assetCode', NEW.asset_code,
        'maxClaims', NEW.max_claims, 'slotsTaken', NEW.slots_taken, 'completedCount', NEW.completed_count,
        'expiredCount', NEW.expired_count));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER "tasks_event" AFTER INSERT ON "tasks"
    FOR EACH ROW EXECUTE FUNCTION gf_task_event();
CREATE TRIGGER "tasks_change_event" AFTER UPDATE OF "status", "slots_taken", "completed_count", "expired_count", "reward", "max_claims" ON "tasks"
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.slots_taken IS DISTINCT FROM NEW.slots_taken
        OR OLD.completed_count IS DISTINCT FROM NEW.completed_count OR OLD.expired_count IS DISTINCT FROM NEW.expired_count
        OR OLD.reward IS DISTINCT FROM NEW.reward OR OLD.max_claims IS DISTINCT FROM NEW.max_claims)
    EXECUTE FUNCTION gf_task_event();

-- Task claims (created, status changes). No proof text or URLs, no reject/revoke reason.
CREATE FUNCTION "gf_task_claim_event"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM gf_emit_event(NEW.guild_id, 'task_claim', jsonb_build_object(
        'claimId', NEW.id, 'taskId', NEW.task_id, 'userId', NEW.user_id, 'status', NEW.status,
        'submissions', NEW.submissions, 'rewardPaid', NEW.reward_paid::text));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER "task_claims_event" AFTER INSERT ON "task_claims"
    FOR EACH ROW EXECUTE FUNCTION gf_task_claim_event();
CREATE TRIGGER "task_claims_status_event" AFTER UPDATE OF "status" ON "task_claims"
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION gf_task_claim_event();

-- Code orders (created, status changes). Never the codes: they live in `codes`, which has no trigger.
CREATE FUNCTION "gf_order_event"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM gf_emit_event(NEW.guild_id, 'order', jsonb_build_object(
        'orderId', NEW.id, 'userId', NEW.user_id, 'packageId', NEW.package_id, 'quantity', NEW.quantity,
        'price', NEW.price::text, 'assetCode', NEW.asset_code, 'status', NEW.status, 'deliveredVia', NEW.delivered_via));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER "code_orders_event" AFTER INSERT ON "code_orders"
    FOR EACH ROW EXECUTE FUNCTION gf_order_event();
CREATE TRIGGER "code_orders_status_event" AFTER UPDATE OF "status" ON "code_orders"
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION gf_order_event();

-- Top-ups (created, status changes). Not the QR string/URL (they pay), nor the gateway's transaction id.
CREATE FUNCTION "gf_topup_event"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM gf_emit_event(NEW.guild_id, 'topup', jsonb_build_object(
        'paymentId', NEW.id, 'userId', NEW.user_id, 'provider', NEW.provider, 'amount', NEW.amount::text,
        'currency', NEW.currency, 'credit', NEW.credit::text, 'assetCode', NEW.asset_code, 'status', NEW.status));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER "payments_event" AFTER INSERT ON "payments"
    FOR EACH ROW EXECUTE FUNCTION gf_topup_event();
CREATE TRIGGER "payments_status_event" AFTER UPDATE OF "status" ON "payments"
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION gf_topup_event();

-- Inventory: one event per movement (movements are append-only, one per idempotency key). Not the
-- free-text reason.
CREATE FUNCTION "gf_inventory_event"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM gf_emit_event(NEW.guild_id, 'inventory', jsonb_build_object(
        'movementId', NEW.id::text, 'ownerId', NEW.owner_id, 'itemId', NEW.item_id, 'delta', NEW.delta, 'type', NEW.type));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER "inventory_movements_event" AFTER INSERT ON "inventory_movements"
    FOR EACH ROW EXECUTE FUNCTION gf_inventory_event();

-- Verification runs (started, and how they ended). Never the phrase (it is not stored) nor the reason.
CREATE FUNCTION "gf_verification_event"() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM gf_emit_event(NEW.guild_id, 'verification', jsonb_build_object(
        'runId', NEW.run_id, 'userId', NEW.user_id, 'method', NEW.method, 'status', NEW.status,
        'robloxId', NEW.roblox_id::text));
    RETURN NULL;
END
$fn$;
CREATE TRIGGER "verifications_event" AFTER INSERT ON "verifications"
    FOR EACH ROW EXECUTE FUNCTION gf_verification_event();
CREATE TRIGGER "verifications_status_event" AFTER UPDATE OF "status" ON "verifications"
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION gf_verification_event();
