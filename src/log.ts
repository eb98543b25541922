// pino with redaction. Webhook URLs (Slack's carry their token in the path), signing secrets and
// AWS credentials must never reach a log line, whatever object a caller happens to log.
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export const REDACT_PATHS = [
  'url',
  'secret',
  '*.url',
  '*.secret',
  '*.secrets',
  'headers.authorization',
  '*.headers.authorization',
  'headers["webhook-signature"]',
  '*.headers["webhook-signature"]',
  'credentials',
  '*.credentials',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'notifications.targets[*].url',
  'notifications.targets[*].secret',
];

export type { Logger };

export function createLogger(
  opts: { level?: LevelWithSilent; destination?: DestinationStream; base?: Record<string, unknown> } = {},
): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: opts.base ?? { service: 'cleanroomsml-monitor' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // pino's err serializer turns plain objects into {type: "Object"}; callers here log
      // {type, message} summaries (never raw errors that may carry request objects), so keep them.
      serializers: { err: (e: unknown) => (e instanceof Error ? pino.stdSerializers.err(e) : e) },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
