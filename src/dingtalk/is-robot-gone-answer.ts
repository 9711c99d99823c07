import { DingTalkApiError } from './dingtalk-api-error.js';

/**
 * The OpenAPI's answer when the robot cannot post to the group because it is not (or no longer)
 * in it: `invalidParameter.robotCode.notExsit`, "机器人不存在，请检查机器人是否在群内", HTTP 400.
 * Unconfirmed for `groupMessages/send`: it is in a public copy of DingTalk's robot-API error table
 * and in public client code, not on DingTalk's own send page; public reports also show it for a
 * wrong robot code (DINGTALK_ROBOT_CODE set to the AgentId).
 */
export const ROBOT_NOT_IN_GROUP_CODE = 'invalidParameter.robotCode.notExsit';

/** Whether a failed app-robot send says the robot has left the group. */
export function isRobotGoneAnswer(error: unknown): boolean {
  return error instanceof DingTalkApiError && error.errcode === ROBOT_NOT_IN_GROUP_CODE;
}
