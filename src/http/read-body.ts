import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import getRawBody from 'raw-body';

/** The default of `BodyLimits.timeoutMs`: clients here send a few KB at once; one that takes this long is holding a socket. */
export const BODY_TIMEOUT_MS = 10_000;

export interface BodyLimits {
  /** Largest body taken, in bytes. */
  maxBytes: number;
  /** How long the whole body may take to arrive, from when reading starts. */
  timeoutMs: number;
  /** When set, a body of another `Content-Type` is refused with 415 unread. */
  mediaType?: string;
}

/** A body refused; `status` and `type` are what the app's error handler answers and logs. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 408 | 413 | 415,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/** The request body as JSON in `req.body` (undefined when there is none); a bad body goes to the error handler. */
export function jsonBody(limits: BodyLimits): RequestHandler {
  return bodyParser(limits, (text) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new BodyError(400, 'entity.parse.failed', 'the body is not JSON');
    }
  });
}

/** An HTML form's fields (`application/x-www-form-urlencoded`) in `req.body`; a repeated field keeps its last value. */
export function formBody(limits: BodyLimits): RequestHandler {
  return bodyParser(limits, (text) => Object.fromEntries(new URLSearchParams(text)));
}

function bodyParser(limits: BodyLimits, parse: (text: string) => unknown): RequestHandler {
  return (req, _res, next) => {
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (limits.mediaType !== undefined && mediaType !== limits.mediaType) {
      next(new BodyError(415, 'type.unsupported', `expected ${limits.mediaType}`));
      return;
    }
    readText(req, limits).then((text) => {
      try {
        // No body at all is not a parse error: the route decides what it needs.
        req.body = text === '' ? undefined : parse(text);
      } catch (err) {
        next(err);
        return;
      }
      next();
    }, next);
  };
}

/**
 * Reads a UTF-8 request body, refusing it as soon as it is known to be too large — from
 * `Content-Length` before a byte is read, or when the bytes received pass the limit (raw-body,
 * express's own reader) — or when it has not all arrived within the timeout. Unlike express's
 * parsers, a refused body is not read to its end first (they do, to keep the connection): the
 * rest stays unread and the response closes the connection (see `closeUnreadBodies`), so a slow
 * 100 MB upload costs the server nothing.
 */
export async function readText(req: IncomingMessage, { maxBytes, timeoutMs }: BodyLimits): Promise<string> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') throw new BodyError(415, 'encoding.unsupported', `content encoding ${encoding} is not accepted`);
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw new BodyError(415, 'charset.unsupported', 'only UTF-8 is accepted');

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      // Stop taking bytes off the socket: nobody will read them.
      req.pause();
      reject(new BodyError(408, 'request.timeout', `the body did not arrive within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  let bytes: Buffer;
  try {
    bytes = await Promise.race([getRawBody(req, { length: req.headers['content-length'] ?? null, limit: maxBytes }), timedOut]);
  } catch (err) {
    if (err instanceof BodyError) throw err;
    const { status, type } = err as { status?: number; type?: string };
    if (status === 413) throw tooLarge(maxBytes);
    // The client went away, or sent fewer bytes than it declared: no one hears the answer.
    throw new BodyError(400, type ?? 'request.aborted', 'the request ended before its body');
  } finally {
    clearTimeout(timer);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BodyError(400, 'charset.invalid', 'the body is not UTF-8');
  }
}

const tooLarge = (maxBytes: number) => new BodyError(413, 'entity.too.large', `the body is larger than ${maxBytes} bytes`);
