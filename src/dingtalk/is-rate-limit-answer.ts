// 130101 is the older code ("send too fast, exceed 20 times per minute"), 410100 the current one
// (发送速度太快而限流); the text is matched as well because the codes have changed before.
// The OpenAPI's string codes (app-robot sends) are from public client code, not DingTalk's pages: unconfirmed.
const RATE_LIMIT_CODES = new Set<number | string>([130101, 410100, 'send.too.fast', 'send.byToken.tooFast', 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', 'Forbidden.AccessDenied.QpsLimitForApi']);

/** Whether DingTalk's answer means the robot is being throttled (protocol reference §4.7). */
export function isRateLimitAnswer(errcode: number | string, errmsg: string): boolean {
  return RATE_LIMIT_CODES.has(errcode) || /too fast|限流/i.test(errmsg);
}
