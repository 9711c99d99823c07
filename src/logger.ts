import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The one logger; modules take a child of it. Secrets never reach it because nothing passes them
 * in, and the redaction below is a second line of defence for the request fields that carry them.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: null,
      // Level names rather than numbers, so operators can grep for "warn".
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['*.sign', '*.access_token', '*.timestamp', '*.sessionWebhook', 'headers.sign', 'headers.authorization', 'headers.cookie'], censor: '[redacted]' },
    },
    destination,
  );
}
