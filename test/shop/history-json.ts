import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

/**
 * Reads a history in Temporal's standard JSON form (the CLI's `workflow show --output json`, the UI's
 * download). The SDK's own historyFromJSON fails here ("type must be a Type"): this install has two
 * copies of protobufjs 8 (nested under @temporalio/common and under @temporalio/proto), and the
 * common one's protojson does not accept the proto package's types. Until `npm dedupe` puts one copy
 * at the top, the same conversion runs with the protojson of the copy @temporalio/proto uses.
 */
export function loadHistoryJson(json: unknown): History {
  try {
    return historyFromJSON(json);
  } catch (err) {
    if (!(err instanceof TypeError) || !/type must be a Type/.test(err.message)) throw err;
  }
  /* eslint-disable @typescript-eslint/no-require-imports */
  const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
  const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as {
    fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History | null;
  };
  const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as { patchProtobufRoot<T>(root: T): T & { lookupType(name: string): unknown } };
  const root = patchProtobufRoot(require('@temporalio/proto') as object);
  /* eslint-enable @typescript-eslint/no-require-imports */
  const history = protojson.fromJson(root.lookupType('temporal.api.history.v1.History'), json, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('Invalid history JSON');
  return history;
}
