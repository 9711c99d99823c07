import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

let stdout: pino.DestinationStream | undefined;
/** One asynchronous stream to standard output for every logger of the process. */
const standardOutput = () => (stdout ??= pino.destination({ dest: 1, sync: false }));

/**
 * The one logger; modules take a child of it. Secrets never reach it because nothing passes them
 * in, and the redaction below is a second line of defence for the request fields that carry them.
 *
 * By default lines go to standard output asynchronously: a line is written at once when the last
 * write has finished, and lines logged meanwhile are written together, so a busy bot does not pay
 * a system call per message. pino flushes what is left when the process exits.
 */
export function createLogger(level: string, destination: pino.DestinationStream = standardOutput()): Logger {
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
