// 130101 is the older code ("send too fast, exceed 20 times per minute"), 410100 the current one
// (发送速度太快而限流); the text is matched as well because the codes have changed before.
const RATE_LIMIT_CODES = new Set([130101, 410100]);

/** Whether DingTalk's answer means the robot is being throttled (protocol reference §4.7). */
export function isRateLimitAnswer(errcode: number, errmsg: string): boolean {
  return RATE_LIMIT_CODES.has(errcode) || /too fast|限流/i.test(errmsg);
}
