import {
  isGrpcServiceError,
  ServiceError,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, type QueryDefinition, type SignalDefinition, type UpdateDefinition } from '@temporalio/common';
import { AppError } from '../errors';
import { DiscordUserId, FlowKind, GuildId } from '../search-attributes';
import type { Flow } from './flow';

/**
 * How the bot, the API and activities start and talk to flows: one place for search attributes, "already
 * started", refused updates and an unreachable Temporal, so every edge behaves the same.
 */

/** Temporal cannot be reached (or is not configured for this process): answered 503. */
export class TemporalUnavailableError extends AppError {
  constructor(message = 'The workflow service is not reachable right now; try again in a moment.') {
    super('temporal_unavailable', message, 503);
  }
}

/** A flow refused an update (its validator or handler said no): answered 409 with the flow's words. */
export class FlowRefusedError extends AppError {
  /** `code`: a feature whose validators name their refusals (e.g. `withdrawal_closed`) keeps that code. */
  constructor(message: string, code = 'refused') {
    super(code, message, 409);
  }
}

/** The flow has ended or never ran: nothing was changed. */
export class FlowClosedError extends AppError {
  constructor(message: string) {
    super('flow_closed', message, 404);
  }
}

export interface FlowTarget {
  temporal: Client;
  taskQueue: string;
}

export interface StartOptions<Input> {
  guildId: string;
  /** The member the flow is about, for the DiscordUserId search attribute. */
  userId?: string;
  /** What operators read in the Temporal UI's list. */
  summary?: string;
  input: Input;
}

function searchAttributes(kind: string, guildId: string, userId?: string) {
  return [{ key: GuildId, value: guildId }, ...(userId ? [{ key: DiscordUserId, value: userId }] : []), { key: FlowKind, value: kind }];
}

/** Maps the transport's failures to the typed errors above; anything else is rethrown. */
function asFlowError(err: unknown, workflowId: string): unknown {
  if (err instanceof WorkflowNotFoundError) return new FlowClosedError(`There is no running flow ${workflowId}: nothing was changed.`);
  if (err instanceof WorkflowUpdateFailedError) {
    return new FlowRefusedError(err.cause instanceof ApplicationFailure ? err.cause.message : err.message);
  }
  if (isUnavailable(err)) return new TemporalUnavailableError();
  return err;
}

/** Connection refused, deadline passed or the server shedding load: try again later. */
function isUnavailable(err: unknown): boolean {
  if (err instanceof TemporalUnavailableError) return true;
  const grpc = err instanceof ServiceError ? err.cause : err;
  // 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED, 8 RESOURCE_EXHAUSTED
  return isGrpcServiceError(grpc) && [4, 8, 14].includes(grpc.code);
}

function clientOf(temporal: Client | null | undefined): Client {
  if (!temporal) throw new TemporalUnavailableError('Workflows are not configured for this process.');
  return temporal;
}

/**
 * Starts the flow once: a second start with the same id returns `started: false` and the running (or
 * finished, per the id reuse policy) flow's id.
 */
export async function startFlow<Args extends unknown[], Input>(
  target: FlowTarget,
  flow: Flow<Args>,
  idArgs: Args,
  options: StartOptions<Input> & { reuse?: 'allow' | 'reject'; conflict?: FlowConflict },
): Promise<{ workflowId: string; started: boolean; runId: string | null }> {
  const workflowId = flow.id(...idArgs);
  try {
    const handle = await target.temporal.workflow.start(flow.type, {
      taskQueue: target.taskQueue,
      workflowId,
      args: [options.input],
      typedSearchAttributes: searchAttributes(flow.kind, options.guildId, options.userId),
      ...(options.summary ? { staticSummary: options.summary } : {}),
      ...(options.reuse === 'reject' ? { workflowIdReusePolicy: 'REJECT_DUPLICATE' as const } : {}),
      ...(options.conflict ? { workflowIdConflictPolicy: CONFLICT_POLICY[options.conflict] } : {}),
    });
    return { workflowId, started: true, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false, runId: null };
    throw asFlowError(err, workflowId);
  }
}

/**
 * What a start does when a flow with the id is running: `fail` (the default: `started: false`), `join`
 * it (its handle is returned as if started), or `replace` it (the running one is terminated).
 */
export type FlowConflict = 'fail' | 'join' | 'replace';
const CONFLICT_POLICY = { fail: 'FAIL', join: 'USE_EXISTING', replace: 'TERMINATE_EXISTING' } as const;

/**
 * Update-with-start: sends the update to the running flow, or starts the flow and sends it (one call, so
 * two callers at the same instant reach the same run). Returns the update's result and the run it
 * reached. With `reuse: 'reject'` a flow with this id that already ended is FlowClosedError (read its
 * result with flowResult); otherwise a new run starts.
 */
export async function updateWithStartFlow<Args extends unknown[], Input, Ret, UpdateArgs extends unknown[]>(
  target: FlowTarget,
  flow: Flow<Args>,
  idArgs: Args,
  options: StartOptions<Input> & { update: UpdateDefinition<Ret, UpdateArgs>; updateArgs: UpdateArgs; reuse?: 'allow' | 'reject' },
): Promise<{ workflowId: string; runId: string; result: Ret }> {
  const workflowId = flow.id(...idArgs);
  const startWorkflowOperation = new WithStartWorkflowOperation(flow.type, {
    taskQueue: target.taskQueue,
    workflowId,
    workflowIdConflictPolicy: 'USE_EXISTING',
    ...(options.reuse === 'reject' ? { workflowIdReusePolicy: 'REJECT_DUPLICATE' as const } : {}),
    args: [options.input],
    typedSearchAttributes: searchAttributes(flow.kind, options.guildId, options.userId),
    ...(options.summary ? { staticSummary: options.summary } : {}),
  });
  try {
    // As for signalWithStart: the SDK's conditional option types do not resolve for a generic update.
    const result = (await target.temporal.workflow.executeUpdateWithStart(options.update, { args: options.updateArgs, startWorkflowOperation } as never)) as Ret;
    // The SDK builds this handle with the run the update reached as its first execution run id.
    const handle = (await startWorkflowOperation.workflowHandle()) as WorkflowHandle & { firstExecutionRunId: string };
    return { workflowId, runId: handle.firstExecutionRunId, result };
  } catch (err) {
    // Ended before (REJECT_DUPLICATE), or between the start and the update.
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new FlowClosedError(`The flow ${workflowId} has ended: nothing was changed.`);
    throw asFlowError(err, workflowId);
  }
}

/** Waits for a flow's run to end and returns its result (a failed run throws its failure). */
export async function flowResult<Ret>(temporal: Client | null | undefined, workflowId: string, runId?: string): Promise<Ret> {
  try {
    return (await clientOf(temporal).workflow.getHandle(workflowId, runId).result()) as Ret;
  } catch (err) {
    throw asFlowError(err, workflowId);
  }
}

/** Asks a flow (running or closed) its query; `null` when there is no such flow. */
export async function queryFlow<State>(temporal: Client | null | undefined, workflowId: string, query: QueryDefinition<State>): Promise<State | null> {
  try {
    return await clientOf(temporal).workflow.getHandle(workflowId).query(query);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw asFlowError(err, workflowId);
  }
}

/** Signals the flow, starting it first when it is not running. */
export async function signalWithStartFlow<Args extends unknown[], Input, SignalArgs extends unknown[]>(
  target: FlowTarget,
  flow: Flow<Args>,
  idArgs: Args,
  options: StartOptions<Input> & { signal: SignalDefinition<SignalArgs>; signalArgs: SignalArgs },
): Promise<{ workflowId: string }> {
  const workflowId = flow.id(...idArgs);
  try {
    // The SDK's conditional option types do not resolve for a generic signal; the shape is checked above.
    await target.temporal.workflow.signalWithStart(flow.type, {
      taskQueue: target.taskQueue,
      workflowId,
      args: [options.input],
      signal: options.signal,
      signalArgs: options.signalArgs,
      typedSearchAttributes: searchAttributes(flow.kind, options.guildId, options.userId),
      ...(options.summary ? { staticSummary: options.summary } : {}),
    } as never);
    return { workflowId };
  } catch (err) {
    throw asFlowError(err, workflowId);
  }
}

/** Signals a running flow; `false` when there is none (it ended or never started). */
export async function signalFlow<SignalArgs extends unknown[]>(
  temporal: Client | null | undefined,
  workflowId: string,
  signal: SignalDefinition<SignalArgs>,
  ...args: SignalArgs
): Promise<boolean> {
  try {
    await clientOf(temporal).workflow.getHandle(workflowId).signal(signal, ...args);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw asFlowError(err, workflowId);
  }
}

/** Sends an update and waits for its result; a refusal becomes FlowRefusedError, a closed flow FlowClosedError. */
export async function updateFlow<Ret, Args extends unknown[]>(temporal: Client | null | undefined, workflowId: string, update: UpdateDefinition<Ret, Args>, ...args: Args): Promise<Ret> {
  try {
    // The SDK's overloads do not resolve for a generic argument list; `update` and `args` agree by the signature.
    return await clientOf(temporal).workflow.getHandle(workflowId).executeUpdate(update as unknown as UpdateDefinition<Ret, [unknown]>, { args: args as unknown as [unknown] });
  } catch (err) {
    throw asFlowError(err, workflowId);
  }
}

export type FlowStatus<State> =
  | { workflowId: string; runId: string; status: string; startTime: Date; closeTime: Date | null; historyLength: number; state: State | null }
  | { workflowId: string; status: 'NOT_FOUND' };

const READ_DEADLINE_MS = 3000;

/**
 * A flow's Temporal status, with its own status query while it runs (and after it closed, with
 * `queryClosed`: a worker replays it to answer). Not found is an answer; an unreachable Temporal is
 * TemporalUnavailableError (503); a flow that does not answer its query in time has `state: null`.
 */
export async function readFlowStatus<State>(
  temporal: Client | null | undefined,
  workflowId: string,
  query: QueryDefinition<State>,
  runId?: string,
  options: { queryClosed?: boolean } = {},
): Promise<FlowStatus<State>> {
  const client = clientOf(temporal);
  const handle: WorkflowHandle = client.workflow.getHandle(workflowId, runId);
  try {
    const d = await client.withDeadline(Date.now() + READ_DEADLINE_MS, () => handle.describe());
    const state = d.status.name === 'RUNNING' || options.queryClosed ? await client.withDeadline(Date.now() + READ_DEADLINE_MS, () => handle.query(query)).catch(() => null) : null;
    return { workflowId, runId: d.runId, status: d.status.name, startTime: d.startTime, closeTime: d.closeTime ?? null, historyLength: d.historyLength, state };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { workflowId, status: 'NOT_FOUND' };
    throw asFlowError(err, workflowId);
  }
}

/** Whether a flow with this id was ever started (any state). */
export async function workflowExists(temporal: Client, workflowId: string): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw asFlowError(err, workflowId);
  }
}
