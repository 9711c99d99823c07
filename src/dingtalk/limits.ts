/** DingTalk refuses message bodies larger than this many bytes of UTF-8 JSON. */
export const DINGTALK_MAX_BODY_BYTES = 20_000;
