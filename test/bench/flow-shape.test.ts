import type { temporal } from '@temporalio/proto';
import { msNumberToTs } from '@temporalio/common/lib/time';
import { shapeFromHistory } from '../../bench/flow-shape';

/** Reading a flow's shape from its history between the action and the condition (bench/latency.ts). */
type Event = temporal.api.history.v1.IHistoryEvent;
const at = (ms: number, attrs: Event): Event => ({ eventTime: msNumberToTs(ms), ...attrs });
const wftScheduled = (ms: number) => at(ms, { workflowTaskScheduledEventAttributes: {} });
const wftCompleted = (ms: number) => at(ms, { workflowTaskCompletedEventAttributes: {} });
const activity = (ms: number) => at(ms, { activityTaskScheduledEventAttributes: {} });
const marker = (ms: number, markerName: string) => at(ms, { markerRecordedEventAttributes: { markerName } });

describe('shapeFromHistory', () => {
  it('counts from the workflow task that accepted the update to the one that completed after the condition', () => {
    const events = [
      at(1000, { workflowExecutionStartedEventAttributes: {} }),
      wftScheduled(1001),
      wftCompleted(1010),
      activity(1010), // the flow's set-up, before the member's click
      wftScheduled(2001), // the click's update: accepted when this task completes
      wftCompleted(2010),
      at(2010, { workflowExecutionUpdateAcceptedEventAttributes: {} }),
      marker(2010, 'core_patch'), // patched(): not a step
      activity(2010),
      activity(2010),
      wftCompleted(2050),
      marker(2050, 'core_local_activity'),
      activity(2050), // the condition's step
      wftScheduled(2060), // running when the condition was seen (at 2090)
      wftCompleted(2100),
      at(2100, { timerCanceledEventAttributes: {} }), // another command of that task
      marker(2100, 'core_local_activity'), // recorded by that task, so it ran before it completed
      activity(2100), // scheduled after: not counted
      wftScheduled(2150),
      wftCompleted(2200),
    ];
    expect(shapeFromHistory(events, 2000, 2090)).toEqual({
      trigger: 'update',
      batches: [[{ kind: 'activity' }, { kind: 'activity' }], [{ kind: 'local' }, { kind: 'activity' }], [{ kind: 'local' }]],
      workflowTasks: 3,
      activities: 3,
      localActivities: 2,
      signals: 0,
      updates: 1,
      timers: 0,
    });
  });

  it('leaves out a workflow task that started only after the condition was seen', () => {
    const events = [
      at(1000, { workflowExecutionStartedEventAttributes: {} }),
      wftScheduled(1001),
      wftCompleted(1010),
      activity(1010), // its effect is the condition, seen at 1040
      wftScheduled(1045), // the activity's result handed back: nothing the member waits for
      wftCompleted(1050),
      activity(1050),
    ];
    expect(shapeFromHistory(events, 999, 1040)).toMatchObject({ trigger: 'start', workflowTasks: 1, activities: 1, batches: [[{ kind: 'activity' }]] });
  });

  it('tells a start, an update-with-start and a signal apart', () => {
    const started = at(1000, { workflowExecutionStartedEventAttributes: {} });
    const accepted = at(1010, { workflowExecutionUpdateAcceptedEventAttributes: {} });
    expect(shapeFromHistory([started, wftCompleted(1010), activity(1010), wftCompleted(1050)], 999, 1040).trigger).toBe('start');
    expect(shapeFromHistory([started, wftCompleted(1010), accepted, wftCompleted(1050)], 999, 1040).trigger).toBe('update-with-start');
    const signalled = shapeFromHistory([started, wftCompleted(1010), at(2000, { workflowExecutionSignaledEventAttributes: {} }), wftCompleted(2010), activity(2010), wftCompleted(2050)], 1999, 2040);
    expect(signalled).toMatchObject({ trigger: 'signal', workflowTasks: 2, activities: 1, signals: 1 });
  });
});
