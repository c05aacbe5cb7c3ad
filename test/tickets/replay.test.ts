import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFiles, loadHistory, REPLAYED_HISTORIES } from '../helpers/histories';
import { bundleWorkflows } from '../helpers/temporal';
import { startTicketsEnv } from './helpers';
import { recordTicketHistories, TICKET_SCENARIOS } from './histories';

/**
 * Recorded histories of the ticket workflow (test/histories/ticket-*.json) replay with the current
 * workflows/ code, and the replayer is shown to catch an incompatible change.
 */
jest.setTimeout(120_000);
const recording = process.env.GF_RECORD_HISTORIES === '1';
const files = () => historyFiles(REPLAYED_HISTORIES.tickets);

describe('ticket workflow histories', () => {
  if (recording) {
    it('records fresh histories (GF_RECORD_HISTORIES=1)', async () => {
      const env = await startTicketsEnv();
      try {
        expect(await recordTicketHistories(env)).toHaveLength(Object.keys(TICKET_SCENARIOS).length);
      } finally {
        await env.stop();
      }
    });
  }

  it('has a recorded history for every scenario, covering what it says', () => {
    expect(files()).toEqual(Object.keys(TICKET_SCENARIOS).map((n) => `${n}.json`).sort());
    const events = (file: string) => loadHistory(file).events ?? [];
    const activities = (file: string) => events(file).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activities('ticket-claimed-closed.json')).toEqual(expect.arrayContaining(['ticketRecordOpen', 'ticketCreateChannel', 'ticketPostOpened', 'ticketRecordClaim', 'ticketRecordFirstResponse', 'ticketRecordClose', 'ticketSaveTranscript', 'ticketPostTranscript', 'ticketTellOpenerClosed', 'ticketDeleteChannel']));
    expect(events('ticket-claimed-closed.json').filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(2);
    expect(events('ticket-claimed-closed.json').some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'message')).toBe(true);
    expect(activities('ticket-idle-closed.json')).toEqual(expect.arrayContaining(['ticketWarnIdle', 'ticketRecordClose', 'ticketSaveTranscript', 'ticketPostTranscript', 'ticketDeleteChannel']));
    expect(events('ticket-idle-closed.json').filter((e) => e.timerFiredEventAttributes)).toHaveLength(3);
  });

  it('every recorded history replays with the current workflows/ code', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows'));
    for (const file of files()) {
      await expect(Worker.runReplayHistory({ workflowBundle }, loadHistory(file), `replay-${file}`)).resolves.toBeUndefined();
    }
  });

  it('an incompatible change (the channel created before the ticket is recorded) is caught: DeterminismViolationError', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('./workflows/ticket-reordered'));
    const err = await Worker.runReplayHistory({ workflowBundle }, loadHistory('ticket-claimed-closed.json'), 'replay-reordered').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
  });
});
