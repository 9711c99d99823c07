import { pino, type Logger } from 'pino';
import type { Config } from './config/load-config.js';

export type { Logger } from 'pino';

/** `auto`: pretty on a terminal, JSON otherwise (config `log.format`, env LOG_FORMAT). */
export type LogFormat = Config['log']['format'];

let stdout: pino.DestinationStream | undefined;
/** One asynchronous stream to standard output for every logger of the process. */
const standardOutput = () => (stdout ??= pino.destination({ dest: 1, sync: false }));

/**
 * The one logger; modules take a child of it. Secrets never reach it because nothing passes them
 * in, and the redaction below is a second line of defence for the request fields that carry them.
 *
 * Lines are JSON with ISO 8601 times (UTC), for log collectors. By default they go to standard
 * output asynchronously: a line is written at once when the last write has finished, and lines
 * logged meanwhile are written together, so a busy bot does not pay a system call per message.
 * pino flushes what is left when the process exits.
 */
export function createLogger(level: string, destination: pino.DestinationStream = standardOutput()): Logger {
  return pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names rather than numbers, so operators can grep for "warn".
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['*.sign', '*.access_token', '*.timestamp', '*.sessionWebhook', 'headers.sign', 'headers.authorization', 'headers.cookie'], censor: '[redacted]' },
    },
    destination,
  );
}

/**
 * Where the bot's log lines go: for `pretty`, and for `auto` when standard output is a terminal,
 * through pino-pretty, one readable line each with the local time; otherwise to standard output as
 * they are (JSON). pino-pretty runs in this thread and writes each line at once, not in a worker:
 * someone reading a terminal reads a few lines a second.
 */
export async function logDestination(format: LogFormat, isTerminal = process.stdout.isTTY): Promise<pino.DestinationStream> {
  if (format === 'json' || (format === 'auto' && !isTerminal)) return standardOutput();
  const { build } = await import('pino-pretty');
  return build({ colorize: isTerminal, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', singleLine: true, sync: true });
}
