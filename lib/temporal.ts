import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';

export type TemporalTarget = Pick<Config, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_API_KEY' | 'TEMPORAL_TLS'> & { address: string };

/** Connection options shared by the client Connection (bot, API) and the worker's NativeConnection. */
export function temporalConnectionOptions(target: TemporalTarget) {
  return {
    address: target.address,
    ...(target.TEMPORAL_TLS || target.TEMPORAL_API_KEY ? { tls: true } : {}),
    ...(target.TEMPORAL_API_KEY ? { apiKey: target.TEMPORAL_API_KEY } : {}),
  };
}

/** One Connection and Client per process (never one per request). */
export async function connectTemporalClient(target: TemporalTarget): Promise<{ connection: Connection; client: Client }> {
  const connection = await Connection.connect(temporalConnectionOptions(target));
  return { connection, client: new Client({ connection, namespace: target.TEMPORAL_NAMESPACE }) };
}

/** Readiness: the frontend answers and our namespace exists. */
export async function pingTemporal(connection: Connection, namespace: string): Promise<void> {
  await connection.workflowService.describeNamespace({ namespace });
}
