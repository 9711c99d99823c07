import { describe, expect, it } from 'vitest';
import { computeSign } from '../../src/dingtalk/compute-sign.js';

// Section 8 of the DingTalk protocol reference.
describe('computeSign', () => {
  it.each([
    ['V1 callback', 'exampleAppSecret-DoNotUse', '1577262236757', '1XSQhfH2pQx6XIw/6JznYsFF6fbQWAtjHNCotrdeFMk='],
    ['V2 custom robot', 'SECa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9', '1700000000009', 'ahst5Icb550uoYMV63CfOv4f3MYpd5xIr+/Lx4C1RKI='],
    ['V3 custom robot', 'this is secret', '1577262236757', 'hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM='],
  ])('matches vector %s', (_, secret, timestamp, expected) => {
    expect(computeSign(timestamp, secret)).toBe(expected);
  });

  it('URL-encodes once through URLSearchParams, as the send URL needs', () => {
    const params = new URLSearchParams({ access_token: 'EXAMPLE_TOKEN', timestamp: '1700000000009', sign: computeSign('1700000000009', 'SECa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9') });
    expect(`https://oapi.dingtalk.com/robot/send?${params.toString()}`).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=EXAMPLE_TOKEN&timestamp=1700000000009&sign=ahst5Icb550uoYMV63CfOv4f3MYpd5xIr%2B%2FLx4C1RKI%3D',
    );
  });
});
