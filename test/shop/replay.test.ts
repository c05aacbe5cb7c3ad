import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflows } from '../helpers/temporal';
import { HISTORIES_DIR, recordPurchaseHistories, SCENARIOS } from './histories';
import { loadHistoryJson } from './history-json';
import { startShopEnv } from './helpers';

/**
 * Recorded histories of the purchase workflow (test/histories/purchase-*.json, written by histories.ts)
 * must replay with the current workflow code: a change that would break running purchases (a timed role
 * waiting for days) fails here. The negative test proves the replayer catches such a change.
 */
const recording = process.env.GF_RECORD_HISTORIES === '1';
const historyFiles = () => readdirSync(HISTORIES_DIR).filter((f) => /^purchase-.*\.json$/.test(f)).sort();
const load = (file: string) => loadHistoryJson(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));

describe('purchase workflow histories', () => {
  if (recording) {
    it('records fresh histories (GF_RECORD_HISTORIES=1)', async () => {
      const env = await startShopEnv();
      try {
        await env.startWorker();
        const files = await recordPurchaseHistories(env);
        expect(files).toHaveLength(Object.keys(SCENARIOS).length);
      } finally {
        await env.close();
      }
    });
  }

  it('has a recorded history for every scenario', () => {
    for (const name of Object.keys(SCENARIOS)) expect(historyFiles()).toContain(`${name}.json`);
  });

  it('every recorded history replays with the current workflows/ code', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows'));
    const files = historyFiles();
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const history = load(file);
      expect(history.events?.length).toBeGreaterThan(10);
      await expect(Worker.runReplayHistory({ workflowBundle }, history, `replay-${file}`)).resolves.toBeUndefined();
    }
  });

  it('an incompatible change (stock taken before the hold) is caught: DeterminismViolationError', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('./workflows/purchase-reordered'));
    const err = await Worker.runReplayHistory({ workflowBundle }, load('purchase-timed-role.json'), 'replay-reordered').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
    expect((err as Error).message).toMatch(/nondetermin|Activity type|does not match|mismatch/i);
  });
});
