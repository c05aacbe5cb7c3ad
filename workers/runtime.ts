import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Installs the Temporal SDK runtime once per process, before any NativeConnection: SDK logs go to our
 * logger and the worker's metrics to a Prometheus endpoint (the API appends them to /metrics). Signals
 * are left to our own shutdown code, which stops things in order.
 */
export function installTemporalRuntime(opts: { log: Logger; metricsAddress: string }): void {
  const log = opts.log.child({ component: 'temporal-sdk' });
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('INFO', ({ level, message, meta }) => log[LEVELS[level]]({ ...meta }, message)),
    telemetryOptions: { metrics: { prometheus: { bindAddress: opts.metricsAddress } } },
  });
}
