/**
 * DingTalk answered, with a non-zero `errcode` (HTTP 200 included: DingTalk reports failures in the
 * body), or the new OpenAPI answered a 4xx with its string `code` (e.g. `InvalidAuthentication`).
 */
export class DingTalkApiError extends Error {
  override readonly name = 'DingTalkApiError';

  /**
   * @param endpoint what was called, without query or credentials, e.g. `POST /robot/send (group "community")`
   * @param errmsg DingTalk's text, already stripped of anything secret by the caller
   */
  constructor(
    readonly endpoint: string,
    readonly errcode: number | string,
    readonly errmsg: string,
  ) {
    super(`${endpoint}: DingTalk answered errcode ${errcode} (${errmsg})`);
  }
}
