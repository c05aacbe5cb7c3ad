import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { testTemporalAddress, testTemporalCli } from './temporal';

/**
 * Recorded workflow histories (test/histories/*.json) for the replay tests: each feature's histories.ts
 * has named scenarios that run a flow to its end and return the workflow id; `recordHistories` exports
 * them, and the replay tests load them back. The files are Temporal's standard JSON form of a history —
 * what `temporal workflow show --output json` prints on a production cluster and what the UI downloads.
 */
const HISTORIES_DIR = path.resolve(__dirname, '../histories');

/**
 * The recorded histories each feature's replay test (test/<feature>/replay.test.ts) replays, by file name.
 * One list, so test/architecture/flows.test.ts can check that every history is replayed and every
 * workflow the worker runs has one.
 */
export const REPLAYED_HISTORIES = {
  shop: /^purchase-.*\.json$/,
  payments: /^topup-.*\.json$/,
  orders: /^order-.*\.json$/,
  tasks: /^task-.*\.json$/,
  verify: /^(verify|unverify)-.*\.json$/,
  sync: /^sync-.*\.json$/,
  trades: /^(deposit|withdraw)-.*\.json$/,
  'verify-binds': /^member-roles-.*\.json$/,
  pads: /^pad-.*\.json$/,
  tickets: /^ticket-.*\.json$/,
  'card-trades': /^card-trade-.*\.json$/,
  cards: /^card-alerts-.*\.json$/,
} as const satisfies Record<string, RegExp>;

/** Each scenario returns the workflow id whose history to keep, or `{workflowId}@{runId}` for one run of it. */
export type Scenarios<E> = Record<string, (env: E) => Promise<string>>;

/** Runs every scenario (or those GF_HISTORY_ONLY names) in turn (a worker must be polling) and writes `{name}{suffix}.json`; returns the files. */
export async function recordHistories<E extends { temporal: { namespace: string } }>(env: E, scenarios: Scenarios<E>, suffix = ''): Promise<string[]> {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const files: string[] = [];
  // GF_HISTORY_ONLY=a,b records just those scenarios (a new one, without re-recording the others).
  const only = process.env.GF_HISTORY_ONLY?.split(',').filter(Boolean);
  for (const [name, run] of Object.entries(scenarios)) {
    if (only && !only.includes(name)) continue;
    const [workflowId, runId] = (await run(env)).split('@') as [string, string?];
    const { stdout } = await promisify(execFile)(
      testTemporalCli(),
      ['workflow', 'show', '--workflow-id', workflowId, ...(runId ? ['--run-id', runId] : []), '--address', testTemporalAddress(), '--namespace', env.temporal.namespace, '--output', 'json'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const file = path.join(HISTORIES_DIR, `${name}${suffix}.json`);
    writeFileSync(file, `${JSON.stringify(JSON.parse(stdout), null, 2)}\n`);
    files.push(file);
  }
  return files;
}

/** The recorded history files whose names match, sorted. */
export function historyFiles(pattern: RegExp): string[] {
  return readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.json') && pattern.test(f))
    .sort();
}

export function loadHistory(file: string): temporal.api.history.v1.IHistory {
  return historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));
}

/** The activity types a history ran as local activities (their markers), in order. */
export function localActivityTypes(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? []).flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    const data = m?.markerName === 'core_local_activity' ? m.details?.data?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type] : [];
  });
}

/** How many workflow tasks a history completed before its first update was answered. */
export function workflowTasksBeforeUpdateCompleted(history: temporal.api.history.v1.IHistory): number {
  const events = history.events ?? [];
  const answered = events.findIndex((e) => e.workflowExecutionUpdateCompletedEventAttributes);
  return events.slice(0, answered).filter((e) => e.workflowTaskCompletedEventAttributes).length;
}
