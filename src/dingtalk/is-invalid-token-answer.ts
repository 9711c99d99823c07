// The OpenAPI's answers to an expired or unknown access token. `InvalidAuthentication` (HTTP 400,
// 不合法的access_token) is reported in many public issues; the other two are from public client code.
const INVALID_TOKEN_CODES = new Set<number | string>(['InvalidAuthentication', 'invalidParameter.token.invalid', 'token.notExisted']);

/** Whether an OpenAPI answer says the access token is not (or no longer) valid. */
export function isInvalidTokenAnswer(errcode: number | string): boolean {
  return INVALID_TOKEN_CODES.has(errcode);
}
