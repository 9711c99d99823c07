// Members paste stack traces and log lines into the chat. Their frames, timestamps, thread names
// and addresses are noise to the index (and a 3,000-character trace would otherwise outweigh the
// asker's own words); what identifies the problem is the exception's name and its message.

// "at com.foo.Bar.baz(Bar.java:12)", "at sun.reflect.X.invoke(Unknown Source)"
const JAVA_FRAME = /\bat\s+[\w$]+(?:\.[\w$<>]+)+\s*\([^()\n]{0,200}\)/g;
const MORE_FRAMES = /\.\.\.\s*\d+\s+(?:more|common frames omitted)\b/g;
// Go: "goroutine 1 [running]:", "/src/x/y.go:123 +0x1d"
const GO_GOROUTINE = /\bgoroutine\s+\d+\s+\[[^\]\n]{0,40}\]:?/g;
const GO_FRAME = /(?:\/[\w.@-]+)+\.go:\d+(?:\s+\+0x[0-9a-f]+)?/g;
// "2023-05-01 12:00:00.123", "[main]", " INFO ", "ERROR 1234 ---", a logger name before ":"
const TIMESTAMP = /\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:[+-]\d{2}:?\d{2}|Z)?/g;
const LEVEL = /\b(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\b/g;
const THREAD = /\[[\w .:/#@-]{1,80}\]/g;
// A qualified class name: its package says where, not what.
const QUALIFIED_CLASS = /\b(?:[a-z_$][\w$]*\.){2,}([A-Z][\w$]*)\b/g;
const EXCEPTION_NAME = /\b[A-Z][\w$]*(?:Exception|Error|Throwable|Fault)\b/g;
const NOISE = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b|\b0x[0-9a-f]+\b|\b[0-9a-f]{16,}\b|https?:\/\/\S+|\b\d{3,}\b|Caused by:?|Exception in thread "[^"]*"/gi;

/** Frames and log lines a message must hold, at least, to be read as a pasted log. */
const MIN_LOG_MARKS = 2;
/** What is kept of a pasted log: the asker's words and the exceptions, cut to this. */
const MAX_KEPT_CHARS = 400;

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

/**
 * A pasted stack trace or log, read for what identifies the problem: the asker's own words, the
 * exceptions' simple names and their messages, without frames, timestamps, levels, thread names,
 * packages, addresses and numbers. Any other message is returned as it is.
 */
export function readPastedLog(message: string): string {
  const marks = count(message, JAVA_FRAME) + count(message, GO_FRAME) + count(message, GO_GOROUTINE) + count(message, TIMESTAMP);
  if (marks < MIN_LOG_MARKS) return message;
  const stripped = message
    .replace(JAVA_FRAME, ' ')
    .replace(MORE_FRAMES, ' ')
    .replace(GO_GOROUTINE, ' ')
    .replace(GO_FRAME, ' ')
    .replace(TIMESTAMP, ' ')
    .replace(LEVEL, ' ')
    .replace(THREAD, ' ')
    .replace(QUALIFIED_CLASS, '$1')
    .replace(NOISE, ' ');
  // One mention of each exception is enough: a trace repeats its cause on every "Caused by".
  const seen = new Set<string>();
  const deduplicated = stripped.replace(EXCEPTION_NAME, (name) => (seen.has(name) ? ' ' : (seen.add(name), name)));
  return deduplicated.replace(/\s+/g, ' ').trim().slice(0, MAX_KEPT_CHARS);
}
