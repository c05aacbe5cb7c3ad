import type { Client } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * After the faults stop, every flow must come to rest: finished, or waiting (a timer, a signal, an update
 * from a person) with no step in progress. Waits (bounded) until no flow has a step in progress; a flow
 * whose step is still failing and retrying (or whose workflow task is still pending) when the time is up
 * is stuck: the report names it, the step and the step's last failure.
 */
export interface SettleReport {
  /** Flows by kind (FlowKind) and state: completed, failed, …, waiting. */
  flows: Record<string, Record<string, number>>;
  /** Activity attempts beyond the first, over every flow: the retries the faults caused. */
  activityRetries: number;
  /** Workflow tasks that failed or timed out (a worker killed mid-task, a replay on another worker). */
  workflowTaskRetries: number;
  stuck: string[];
  waitedMs: number;
}

export async function settleFlows(client: Client, { timeoutMs }: { timeoutMs: number }): Promise<SettleReport> {
  const started = Date.now();
  let busy: string[] = [];
  let retrying: string[] = [];
  for (;;) {
    busy = [];
    retrying = [];
    for await (const wf of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
      const { raw } = await client.workflow.getHandle(wf.workflowId, wf.runId).describe();
      const pending = raw.pendingActivities ?? [];
      if (pending.length === 0 && !raw.pendingWorkflowTask) continue;
      const steps = pending.map((a) => `${a.activityType?.name ?? '?'} attempt ${a.attempt ?? 1}${a.lastFailure?.message ? ` (last failure: ${a.lastFailure.message})` : ''}`);
      const line = `${wf.workflowId}: ${steps.length ? steps.join('; ') : 'a workflow task pending'}`;
      busy.push(line);
      // A first attempt in progress is a flow at work (a poll); a step failing again and again is not.
      if (raw.pendingWorkflowTask || pending.some((a) => (a.attempt ?? 1) > 1 || a.lastFailure)) retrying.push(line);
    }
    if (busy.length === 0 || Date.now() - started > timeoutMs) break;
    await delay(1_000);
  }
  return { ...(await flowCounts(client)), stuck: retrying, waitedMs: Date.now() - started };
}

async function flowCounts(client: Client): Promise<Pick<SettleReport, 'flows' | 'activityRetries' | 'workflowTaskRetries'>> {
  const flows: SettleReport['flows'] = {};
  let activityRetries = 0;
  let workflowTaskRetries = 0;
  for await (const wf of client.workflow.list()) {
    const kind = String(wf.searchAttributes?.FlowKind?.[0] ?? wf.type);
    const state = wf.status.name === 'RUNNING' ? 'waiting' : wf.status.name.toLowerCase();
    const byState = (flows[kind] ??= {});
    byState[state] = (byState[state] ?? 0) + 1;
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    for (const event of history.events ?? []) {
      const attempt = event.activityTaskStartedEventAttributes?.attempt ?? 1;
      activityRetries += Math.max(0, attempt - 1);
      if (event.workflowTaskFailedEventAttributes || event.workflowTaskTimedOutEventAttributes) workflowTaskRetries += 1;
    }
  }
  return { flows, activityRetries, workflowTaskRetries };
}
