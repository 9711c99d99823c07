/** DingTalk refuses message bodies larger than this many bytes of UTF-8 JSON. */
export const DINGTALK_MAX_BODY_BYTES = 20_000;

/** The app robot's `groupMessages/send` refuses a `msgParam` larger than this many bytes. */
export const APP_ROBOT_MAX_PARAM_BYTES = 15_000;
