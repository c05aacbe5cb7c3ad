import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFiles, loadHistory, REPLAYED_HISTORIES } from '../helpers/histories';
import { bundleWorkflows } from '../helpers/temporal';
import { recordPurchaseHistories, SCENARIOS } from './histories';
import { startShopEnv } from './helpers';

/**
 * Recorded histories of the purchase workflow (test/histories/purchase-*.json, written by histories.ts)
 * must replay with the current workflow code: a change that would break running purchases (a timed role
 * waiting for days) fails here. The negative test proves the replayer catches such a change.
 */
const recording = process.env.GF_RECORD_HISTORIES === '1';
const OURS = REPLAYED_HISTORIES.shop;

describe('purchase workflow histories', () => {
  if (recording) {
    it('records fresh histories (GF_RECORD_HISTORIES=1)', async () => {
      const env = await startShopEnv();
      try {
        await env.startWorker();
        const files = await recordPurchaseHistories(env, process.env.GF_HISTORY_SUFFIX ?? '');
        expect(files).toHaveLength(process.env.GF_HISTORY_ONLY ? process.env.GF_HISTORY_ONLY.split(',').length : Object.keys(SCENARIOS).length);
      } finally {
        await env.close();
      }
    });
  }

  it('has a recorded history for every scenario', () => {
    for (const name of Object.keys(SCENARIOS)) expect(historyFiles(OURS)).toContain(`${name}.json`);
  });

  it('every recorded history replays with the current workflows/ code', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows'));
    const files = historyFiles(OURS);
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      const history = loadHistory(file);
      expect(history.events?.length).toBeGreaterThan(10);
      await expect(Worker.runReplayHistory({ workflowBundle }, history, `replay-${file}`)).resolves.toBeUndefined();
    }
  });

  it('the patched change (timed-role-shared-by-purchases) is recorded only where the role was already on: the bought-again history checks the other purchases before the grant', () => {
    const patchIds = (file: string) =>
      (loadHistory(file).events ?? [])
        .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
        .map((e) => (JSON.parse(Buffer.from(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!).toString('utf8')) as { id: string }).id);
    const activities = (file: string) => (loadHistory(file).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(patchIds('purchase-timed-role-bought-again.json')).toContain('timed-role-shared-by-purchases');
    const steps = activities('purchase-timed-role-bought-again.json');
    expect(steps.indexOf('shopRoleStillGrantedElsewhere')).toBe(steps.indexOf('discordAddRole') - 1);
    expect(steps).toContain('discordRemoveRole');
    expect(patchIds('purchase-timed-role-v4.json')).not.toContain('timed-role-shared-by-purchases');
  });

  it('the patched change (keep-preexisting-role): histories from before it and after it both replay', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows'));
    const patches = (file: string) =>
      (loadHistory(file).events ?? [])
        .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
        .map((e) => Buffer.from(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!).toString('utf8'));
    const activities = (file: string) => (loadHistory(file).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    for (const name of ['purchase-timed-role', 'purchase-role-grant-failed']) {
      expect(patches(`${name}.json`)).toEqual([]);
      expect(activities(`${name}.json`)).not.toContain('discordMemberHasRole');
      expect(patches(`${name}-v2.json`)).toEqual([JSON.stringify({ id: 'keep-preexisting-role', deprecated: false })]);
      expect(activities(`${name}-v2.json`)).toContain('discordMemberHasRole');
      for (const file of [`${name}.json`, `${name}-v2.json`]) {
        await expect(Worker.runReplayHistory({ workflowBundle }, loadHistory(file), `replay-${file}`)).resolves.toBeUndefined();
      }
    }
  });

  it('the patched change (money-steps-never-give-up): -v3 histories release the hold with ledgerUndoHold, older ones void it; all replay', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows'));
    const markers = (file: string) => (loadHistory(file).events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch').length;
    const activities = (file: string) => (loadHistory(file).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(markers('purchase-role-grant-failed-v3.json')).toBe(2);
    expect(activities('purchase-role-grant-failed-v3.json')).toContain('ledgerUndoHold');
    expect(activities('purchase-role-grant-failed-v2.json')).toContain('ledgerVoidHold');
    // The member's own refusal: the release pushed before the hold leaves a tombstone, nothing else.
    expect(activities('purchase-insufficient-funds-v3.json')).toEqual(expect.arrayContaining(['ledgerHold', 'ledgerUndoHold', 'shopFailPurchase']));
    for (const file of ['purchase-timed-role-v3.json', 'purchase-role-grant-failed-v3.json', 'purchase-insufficient-funds-v3.json']) {
      await expect(Worker.runReplayHistory({ workflowBundle }, loadHistory(file), `replay-${file}`)).resolves.toBeUndefined();
    }
  });

  /** The real workflows/ code with `@temporalio/workflow` replaced by a shim whose patched() is forced. */
  const unguarded = (shim: string) =>
    bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      logger: new DefaultLogger('WARN'),
      webpackConfigHook: (config) => ({
        ...config,
        resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as object), '@temporalio/workflow$': require.resolve(shim) } },
      }),
    });

  it('without its patched() guard the same change would break the old histories', async () => {
    // keep-preexisting-role forced to true: the new step runs on old histories too.
    const workflowBundle = await unguarded('./workflows/keep-role-unguarded');
    const err = await Worker.runReplayHistory({ workflowBundle }, loadHistory('purchase-timed-role.json'), 'replay-unguarded').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
    // The history scheduled discordAddRole where the unguarded code now schedules discordMemberHasRole.
    expect((err as Error).message).toMatch(/discordMemberHasRole|discordAddRole/);
  });

  it('the patched change (purchase-fewer-round-trips): -v4 histories hold and take the stock in one step, and add to the inventory and charge in one; without its guard the -v3 ones would break', async () => {
    const activities = (file: string) => (loadHistory(file).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    const timed = activities('purchase-timed-role-v4.json');
    expect(timed).toEqual(expect.arrayContaining(['shopHoldAndTakeStock', 'shopAddToInventoryAndCharge']));
    expect(timed).not.toEqual(expect.arrayContaining(['ledgerHold']));
    expect(timed).not.toEqual(expect.arrayContaining(['ledgerPostHold']));
    // A refusal in the merged step still runs every compensation pushed before it.
    expect(activities('purchase-insufficient-funds-v4.json')).toEqual(expect.arrayContaining(['shopHoldAndTakeStock', 'ledgerUndoHold', 'shopRestock', 'shopFailPurchase']));
    expect(activities('purchase-role-grant-failed-v4.json')).toEqual(expect.arrayContaining(['shopHoldAndTakeStock', 'discordAddRole', 'shopRestock', 'ledgerUndoHold', 'shopFailPurchase']));
    const err = await Worker.runReplayHistory({ workflowBundle: await unguarded('./workflows/fewer-steps-unguarded') }, loadHistory('purchase-timed-role-v3.json'), 'replay-unguarded-v3').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
    expect((err as Error).message).toMatch(/ledgerHold|shopHoldAndTakeStock/);
  });

  it('an incompatible change (stock taken before the hold) is caught: DeterminismViolationError', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('./workflows/purchase-reordered'));
    const err = await Worker.runReplayHistory({ workflowBundle }, loadHistory('purchase-timed-role.json'), 'replay-reordered').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
    expect((err as Error).message).toMatch(/nondetermin|Activity type|does not match|mismatch/i);
  });
});
