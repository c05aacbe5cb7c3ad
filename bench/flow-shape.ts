import type { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time';
import type { FlowShape, ShapeStep } from './workflows/shape';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The round trips one run of a flow made between its trigger and the condition the member waits for. */
export interface MeasuredShape extends FlowShape {
  workflowTasks: number;
  activities: number;
  localActivities: number;
  signals: number;
  updates: number;
  timers: number;
}

/** The SDK's marker for a local activity's result (patched() records markers too, under another name). */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

const eventMs = (e: HistoryEvent) => tsToMs(e.eventTime);
const isLocalActivity = (e: HistoryEvent) => e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER;

/**
 * Where the action's effect begins in the history: the start, the signal, or the workflow task that
 * accepted the update — not a step the flow was still finishing from before (a message edit after the
 * member already saw the button).
 */
function triggerIndex(events: HistoryEvent[], fromMs: number): number {
  const first = events.findIndex((e) => eventMs(e) >= fromMs && (e.workflowExecutionStartedEventAttributes || e.workflowExecutionSignaledEventAttributes || e.workflowExecutionUpdateAcceptedEventAttributes));
  if (first < 0) throw new Error('the history has no start, signal or update after the action');
  if (!events[first]!.workflowExecutionUpdateAcceptedEventAttributes) return first;
  for (let i = first; i >= 0; i--) if (events[i]!.workflowTaskScheduledEventAttributes) return i;
  return first;
}

/** Whether the history reaches past `toMs`: a workflow task completed after it (the shape is then readable). */
export const historyReaches = (events: HistoryEvent[], toMs: number): boolean => events.some((e) => e.workflowTaskCompletedEventAttributes && eventMs(e) >= toMs);

/**
 * Reads a flow's shape from its history, counting only what lies between the action at `fromMs` (the
 * member's click or the game's request, on this machine's clock, which the local server shares) and the
 * condition seen at `toMs`. A workflow task that was already running at `toMs` counts, with the local
 * activities it recorded (a local activity's marker is written when its task completes, after the step
 * the member saw); one that started after `toMs` only followed what the member saw and does not. Steps
 * are grouped by the workflow task that scheduled them, in history order.
 */
export function shapeFromHistory(events: HistoryEvent[], fromMs: number, toMs: number): MeasuredShape {
  const inWindow: HistoryEvent[] = [];
  let closed = false;
  let taskStartedMs = -Infinity;
  for (const e of events.slice(triggerIndex(events, fromMs))) {
    // The closing task's commands follow it: only its local activities ran before it completed.
    if (closed && e.workflowTaskScheduledEventAttributes) break;
    if (closed && !isLocalActivity(e)) continue;
    if (e.workflowTaskScheduledEventAttributes || e.workflowTaskStartedEventAttributes) taskStartedMs = eventMs(e);
    if (e.workflowTaskCompletedEventAttributes && eventMs(e) >= toMs) {
      if (taskStartedMs >= toMs) break;
      closed = true;
    }
    inWindow.push(e);
  }
  const batches: ShapeStep[][] = [];
  let batch: ShapeStep[] = [];
  for (const e of inWindow) {
    if (e.workflowTaskCompletedEventAttributes) {
      if (batch.length) batches.push(batch);
      batch = [];
    } else if (e.activityTaskScheduledEventAttributes) batch.push({ kind: 'activity' });
    else if (isLocalActivity(e)) batch.push({ kind: 'local' });
    else if (e.timerStartedEventAttributes) batch.push({ kind: 'timer', ms: tsToMs(e.timerStartedEventAttributes.startToFireTimeout) });
  }
  if (batch.length) batches.push(batch);
  const count = (pick: (e: HistoryEvent) => unknown) => inWindow.filter((e) => pick(e)).length;
  const started = count((e) => e.workflowExecutionStartedEventAttributes) > 0;
  const updates = count((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  const signals = count((e) => e.workflowExecutionSignaledEventAttributes);
  const trigger: FlowShape['trigger'] = started ? (updates ? 'update-with-start' : 'start') : signals ? 'signal' : 'update';
  return {
    trigger,
    batches,
    workflowTasks: count((e) => e.workflowTaskCompletedEventAttributes),
    activities: count((e) => e.activityTaskScheduledEventAttributes),
    localActivities: count(isLocalActivity),
    signals,
    updates,
    timers: count((e) => e.timerStartedEventAttributes),
  };
}
