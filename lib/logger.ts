import pino, { type Logger } from 'pino';
import { serializeErrorForLog } from './discord/error-log';

export type { Logger };

/**
 * JSON logs (pretty when a person is watching a TTY). Secret-bearing fields are removed wherever they
 * appear, so a stray `log.info({ config })` or a logged request cannot leak them; errors (`err`, and
 * `error` as the Temporal SDK logs them) are written without the request a Discord error carries.
 */
const REDACT_PATHS = [
  'token',
  '*.token',
  'DISCORD_TOKEN',
  '*.DISCORD_TOKEN',
  'TEMPORAL_API_KEY',
  '*.TEMPORAL_API_KEY',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  'codes',
  '*.codes',
  'secret',
  '*.secret',
  'MIDTRANS_SERVER_KEY',
  '*.MIDTRANS_SERVER_KEY',
  'CODE_ENCRYPTION_KEY',
  '*.CODE_ENCRYPTION_KEY',
  'CODE_ENCRYPTION_OLD_KEYS',
  '*.CODE_ENCRYPTION_OLD_KEYS',
  'serverKey',
  '*.serverKey',
  'signature_key',
  '*.signature_key',
  'plaintext',
  '*.plaintext',
  'METRICS_TOKEN',
  '*.METRICS_TOKEN',
  'cookie',
  '*.cookie',
  'req.headers.cookie',
  'headers.cookie',
  'interactionToken',
  '*.interactionToken',
  'requestBody',
  '*.requestBody',
];

export function createLogger(
  opts: { level?: string; pretty?: boolean; name?: string } = {},
  destination?: pino.DestinationStream,
): Logger {
  const pretty = opts.pretty ?? (process.stdout.isTTY === true && destination === undefined);
  const options: pino.LoggerOptions = {
    name: opts.name ?? 'guildflow',
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeErrorForLog, error: serializeErrorForLog },
  };
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return destination ? pino(options, destination) : pino(options);
}
