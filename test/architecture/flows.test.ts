import { existsSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import * as workflows from '../../workflows';
import { FLOW_KINDS } from '../../lib/flows/kinds';
import { FlowKind, GuildId } from '../../lib/search-attributes';
import { historyFiles, loadHistory, REPLAYED_HISTORIES } from '../helpers/histories';

/**
 * Every workflow the worker runs (workers/worker.ts bundles workflows/index.ts) has at least one recorded
 * history that a replay test replays, so a change that would break its running flows fails CI; and each
 * recorded run tags itself with the GuildId and FlowKind search attributes, so operators can find it in
 * the Temporal UI. Both are read from the recorded histories, not from the source.
 */

interface Recorded {
  file: string;
  workflowType: string;
  /** Search attributes given at start or upserted by the workflow, decoded. */
  attributes: Record<string, unknown>;
}

function searchAttributesOf(history: temporal.api.history.v1.IHistory): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  const add = (fields: Record<string, temporal.api.common.v1.IPayload> | null | undefined) => {
    for (const [key, payload] of Object.entries(fields ?? {})) attributes[key] = defaultPayloadConverter.fromPayload(payload);
  };
  for (const event of history.events ?? []) {
    add(event.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields);
    add(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields);
  }
  return attributes;
}

const replayed = new Set(Object.values(REPLAYED_HISTORIES).flatMap((pattern) => historyFiles(pattern)));
const recorded: Recorded[] = historyFiles(/./).map((file) => {
  const history = loadHistory(file);
  const workflowType = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
  if (!workflowType) throw new Error(`${file} does not start with WorkflowExecutionStarted`);
  return { file, workflowType, attributes: searchAttributesOf(history) };
});
const exported = Object.entries(workflows)
  .filter(([, value]) => typeof value === 'function')
  .map(([name]) => name)
  .sort();

describe('every workflow the worker runs', () => {
  it('is found in workflows/index.ts', () => {
    expect(exported).toEqual(expect.arrayContaining(['purchase', 'order', 'verify', 'withdraw']));
  });

  it('each replay set has its replay test, and every recorded history is replayed by one', () => {
    for (const feature of Object.keys(REPLAYED_HISTORIES)) {
      expect(existsSync(path.join(__dirname, '..', feature, 'replay.test.ts'))).toBe(true);
    }
    expect(recorded.map((r) => r.file).filter((file) => !replayed.has(file))).toEqual([]);
  });

  it.each(exported)('%s has a recorded history that a replay test replays', (workflowType) => {
    const files = recorded.filter((r) => r.workflowType === workflowType && replayed.has(r.file)).map((r) => r.file);
    expect({ workflowType, files }).toEqual({ workflowType, files: expect.arrayContaining([expect.any(String)]) });
  });

  it.each(exported)('%s sets GuildId and FlowKind in every recorded run, one FlowKind per workflow type', (workflowType) => {
    const runs = recorded.filter((r) => r.workflowType === workflowType);
    const missing = runs.filter((r) => !r.attributes[GuildId.name] || !r.attributes[FlowKind.name]).map((r) => r.file);
    expect({ workflowType, runs: runs.length > 0, missing }).toEqual({ workflowType, runs: true, missing: [] });
    expect(new Set(runs.map((r) => r.attributes[FlowKind.name])).size).toBeLessThanOrEqual(1);
  });

  it('the FlowKinds their recorded runs set are exactly the ones the dashboard counts (lib/flows/kinds.ts)', () => {
    const kinds = new Set(recorded.filter((r) => exported.includes(r.workflowType)).map((r) => String(r.attributes[FlowKind.name])));
    expect([...FLOW_KINDS].sort()).toEqual([...kinds].sort());
  });

  it('no recorded history is of a workflow type the worker no longer runs', () => {
    expect(recorded.filter((r) => !exported.includes(r.workflowType)).map((r) => `${r.file} (${r.workflowType})`)).toEqual([]);
  });
});
