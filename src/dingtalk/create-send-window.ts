/** Counts one robot's sends over a rolling window. */
export interface SendWindow {
  /** How long to wait from `nowMs` before another send keeps the window within its limit; 0 when one may go now. */
  waitMs(nowMs: number): number;
  /** Counts a send that finished at `nowMs`. */
  record(nowMs: number): void;
}

/**
 * A rolling-window limit: at most `limit` sends in any `windowMs`. Callers record a send when its
 * answer (or failure) came back, not when it left: DingTalk counts on arrival, somewhere in
 * between, so spacing finish-to-start keeps even a slow request from squeezing one extra send
 * into DingTalk's minute.
 */
export function createSendWindow(limit: number, windowMs: number): SendWindow {
  const times: number[] = [];
  const forget = (nowMs: number) => {
    // Half-open window (now - windowMs, now]: two sends exactly windowMs apart never share one.
    while (times.length > 0 && (times[0] ?? 0) <= nowMs - windowMs) times.shift();
    // A wall clock stepped back would leave sends "in the future" and stall the robot for as long
    // as the step; treating them as sent just now bounds any wait to one window.
    for (let i = 0; i < times.length; i++) if ((times[i] ?? 0) > nowMs) times[i] = nowMs;
  };
  return {
    waitMs(nowMs) {
      forget(nowMs);
      if (times.length < limit) return 0;
      return (times[times.length - limit] ?? nowMs) + windowMs - nowMs;
    },
    record(nowMs) {
      times.push(nowMs);
    },
  };
}
