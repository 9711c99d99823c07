/** The message was not sent because the client was closed first; an outbox may safely send it later. */
export class RobotClientClosedError extends Error {
  override readonly name = 'RobotClientClosedError';

  constructor(group: string) {
    super(`robot client closed before the message for group "${group}" was sent`);
  }
}
