import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

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
 * `Content-Length` before a byte is read, or when the bytes received pass the limit — or when it
 * has not all arrived within the timeout. Unlike express's parsers, a refused body is not read to
 * its end first (they do, to keep the connection): the rest stays unread and the response closes
 * the connection (see `closeUnreadBodies`), so a slow 100 MB upload costs the server nothing.
 */
export function readText(req: IncomingMessage, { maxBytes, timeoutMs }: BodyLimits): Promise<string> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') return Promise.reject(new BodyError(415, 'encoding.unsupported', `content encoding ${encoding} is not accepted`));
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return Promise.reject(new BodyError(415, 'charset.unsupported', 'only UTF-8 is accepted'));
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (error: BodyError | undefined) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      if (error) {
        // Stop taking bytes off the socket: nobody will read them.
        req.pause();
        reject(error);
        return;
      }
      try {
        resolve(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, received)));
      } catch {
        reject(new BodyError(400, 'charset.invalid', 'the body is not UTF-8'));
      }
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) settle(tooLarge(maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => settle(undefined);
    // The client went away (or the socket broke) before the body ended; no one hears the answer.
    const onAbort = () => settle(new BodyError(400, 'request.aborted', 'the request ended before its body'));
    const timer = setTimeout(() => settle(new BodyError(408, 'request.timeout', `the body did not arrive within ${timeoutMs} ms`)), timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
}

const tooLarge = (maxBytes: number) => new BodyError(413, 'entity.too.large', `the body is larger than ${maxBytes} bytes`);
