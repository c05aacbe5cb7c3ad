import {
  isGrpcServiceError,
  QueryNotRegisteredError,
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
import { DiscordUserId, FlowKind, FlowStuck, GuildId } from '../search-attributes';
import { retryNowSignal, stuckQuery, type Flow, type StuckStep } from './flow';

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

/** No flow with this id belongs to the guild (or none was ever started): the same answer either way. */
class FlowNotFoundError extends AppError {
  constructor(workflowId: string) {
    super('flow_not_found', `There is no flow ${workflowId} in this guild.`, 404);
  }
}

/** The flow is not stuck (it runs on, has ended, or has no steps that must happen): nothing was changed. */
class FlowNotStuckError extends AppError {
  constructor(message: string) {
    super('flow_not_stuck', message, 409);
  }
}

/** A running flow of the guild marked stuck (the FlowStuck search attribute), with its own `stuck` answer. */
export interface StuckFlowSummary {
  workflowId: string;
  runId: string;
  /** The FlowKind search attribute (null for a flow started without it). */
  kind: string | null;
  status: string;
  startTime: Date;
  /** The step, as the search attribute names it. */
  step: string;
  /** The flow's `stuck` query: null when it did not answer in time (its worker away). */
  stuck: StuckStep | null;
}

/** Guild ids are snowflakes; anything else must never reach a visibility query's text. */
function visibilityGuildId(guildId: string): string {
  if (!/^\d{1,20}$/.test(guildId)) throw new Error(`not a guild id: ${JSON.stringify(guildId)}`);
  return guildId;
}

/**
 * The guild's running flows marked stuck, newest first, at most `limit`. The list comes from Temporal's
 * visibility store (it trails the flows by a moment), so each flow is asked its `stuck` query too; one
 * that answers "not stuck" has gone through since and is left out.
 */
export async function listStuckFlows(temporal: Client | null | undefined, guildId: string, limit: number): Promise<StuckFlowSummary[]> {
  const client = clientOf(temporal);
  const query = `GuildId = '${visibilityGuildId(guildId)}' AND FlowStuck IS NOT NULL AND ExecutionStatus = 'Running'`;
  const found: StuckFlowSummary[] = [];
  try {
    for await (const w of client.workflow.list({ query, pageSize: limit })) {
      const step = w.typedSearchAttributes.get(FlowStuck);
      if (step === undefined) continue;
      found.push({ workflowId: w.workflowId, runId: w.runId, kind: w.typedSearchAttributes.get(FlowKind) ?? null, status: w.status.name, startTime: w.startTime, step, stuck: null });
      if (found.length >= limit) break;
    }
  } catch (err) {
    if (isUnavailable(err)) throw new TemporalUnavailableError();
    throw err;
  }
  const answers = await Promise.all(
    found.map((f) =>
      client
        .withDeadline(Date.now() + READ_DEADLINE_MS, () => client.workflow.getHandle(f.workflowId, f.runId).query(stuckQuery))
        .then((stuck) => ({ answered: true as const, stuck }))
        .catch(() => ({ answered: false as const, stuck: null })),
    ),
  );
  return found.flatMap((f, i) => {
    const answer = answers[i]!;
    if (answer.answered && answer.stuck === null) return [];
    return [{ ...f, stuck: answer.stuck }];
  });
}

/** FlowKind values are ours (lib/flows/kinds.ts); anything else must never reach a visibility query's text. */
function visibilityKind(kind: string): string {
  if (!/^[a-z][a-z0-9_-]{0,63}$/.test(kind)) throw new Error(`not a flow kind: ${JSON.stringify(kind)}`);
  return kind;
}

/** The visibility query for the guild's running flows (of one kind): what the counts count and the Temporal UI filters by. */
function runningFlowsQuery(guildId: string, kind?: string): string {
  const kindClause = kind === undefined ? [] : [`FlowKind="${visibilityKind(kind)}"`];
  return [`GuildId="${visibilityGuildId(guildId)}"`, ...kindClause, 'ExecutionStatus="Running"'].join(' AND ');
}

/** How many flows one visibility query finds, and the query itself. */
export interface FlowCount {
  query: string;
  count: number;
}

/**
 * The guild's running flows in all and per kind of `kinds` (kinds with none left out), from Temporal's
 * visibility store, which trails starts and ends by a moment. One count per kind, side by side: Temporal
 * groups a count by ExecutionStatus only.
 */
export async function countRunningFlows(temporal: Client | null | undefined, guildId: string, kinds: readonly string[]): Promise<{ namespace: string; total: FlowCount; kinds: (FlowCount & { kind: string })[] }> {
  const client = clientOf(temporal);
  const count = async (query: string): Promise<FlowCount> => ({ query, count: (await client.withDeadline(Date.now() + READ_DEADLINE_MS, () => client.workflow.count(query))).count });
  try {
    const [total, ...perKind] = await Promise.all([count(runningFlowsQuery(guildId)), ...kinds.map((kind) => count(runningFlowsQuery(guildId, kind)))]);
    return { namespace: client.options.namespace, total: total!, kinds: kinds.map((kind, i) => ({ kind, ...perKind[i]! })).filter((k) => k.count > 0) };
  } catch (err) {
    if (isUnavailable(err)) throw new TemporalUnavailableError();
    throw err;
  }
}

/** A flow an admin may retry or cancel: this guild's, running, and stuck right now. */
export interface StuckFlowRef {
  workflowId: string;
  runId: string;
  kind: string | null;
  stuck: StuckStep;
}

/**
 * The flow `workflowId` (client input) if it belongs to `guildId` (its GuildId search attribute), runs,
 * and says it is stuck. Another guild's flow is FlowNotFoundError, like an unknown id; a flow that is not
 * stuck is FlowNotStuckError; a flow that does not answer in time is TemporalUnavailableError.
 */
export async function requireStuckFlow(temporal: Client | null | undefined, guildId: string, workflowId: string): Promise<StuckFlowRef> {
  const client = clientOf(temporal);
  try {
    const d = await client.withDeadline(Date.now() + READ_DEADLINE_MS, () => client.workflow.getHandle(workflowId).describe());
    if (d.typedSearchAttributes.get(GuildId) !== guildId) throw new FlowNotFoundError(workflowId);
    if (d.status.name !== 'RUNNING') throw new FlowNotStuckError(`The flow ${workflowId} has ended (${d.status.name}): nothing was changed.`);
    const stuck = await client
      .withDeadline(Date.now() + READ_DEADLINE_MS, () => client.workflow.getHandle(workflowId, d.runId).query(stuckQuery))
      .catch((err: unknown) => {
        if (err instanceof QueryNotRegisteredError) return null; // a flow without steps that must happen
        throw new TemporalUnavailableError(`The flow ${workflowId} did not answer in time (is a worker running?): nothing was changed; try again.`);
      });
    if (!stuck) throw new FlowNotStuckError(`The flow ${workflowId} is not stuck: nothing was changed.`);
    return { workflowId, runId: d.runId, kind: d.typedSearchAttributes.get(FlowKind) ?? null, stuck };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof WorkflowNotFoundError) throw new FlowNotFoundError(workflowId);
    throw asFlowError(err, workflowId);
  }
}

/** Starts a stuck flow's next round now (its `retryNow` signal), on the run that was found stuck. */
export async function retryStuckFlow(temporal: Client | null | undefined, flow: StuckFlowRef): Promise<void> {
  try {
    await clientOf(temporal).workflow.getHandle(flow.workflowId, flow.runId).signal(retryNowSignal);
  } catch (err) {
    throw asFlowError(err, flow.workflowId);
  }
}

/** Asks a stuck flow's run to cancel: it stops retrying and runs its compensations. */
export async function cancelStuckFlow(temporal: Client | null | undefined, flow: StuckFlowRef): Promise<void> {
  try {
    await clientOf(temporal).workflow.getHandle(flow.workflowId, flow.runId).cancel();
  } catch (err) {
    throw asFlowError(err, flow.workflowId);
  }
}
