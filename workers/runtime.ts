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
  Runtime.install({
    shutdownSignals: [],
    logger: temporalLogger(opts.log),
    telemetryOptions: { metrics: { prometheus: { bindAddress: opts.metricsAddress } } },
  });
}

/** The SDK's logger interface over ours (the runtime's and the workflow bundler's logs). */
export function temporalLogger(log: Logger, level: LogLevel = 'INFO'): DefaultLogger {
  const child = log.child({ component: 'temporal-sdk' });
  return new DefaultLogger(level, ({ level, message, meta }) => child[LEVELS[level]]({ ...meta }, message));
}
