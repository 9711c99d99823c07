import { describe, expect, it } from 'vitest';
import { matchVersion } from '../../src/search/match-version.js';

describe('matchVersion', () => {
  it.each([
    ['SOFAJRaft 1.2.6 更新了啥', 'v1.2.6', 1],
    ['MOSN 0.12 支持 SkyWalking 吗', 'v0.12.0', 1],
    ['Seata 1.4 支持 yml 吗', '1.4.2', 0.9],
    ['SOFATracer 3.0.9 为啥', 'v2.4.5/3.0.9', 1],
    ['SOFATracer 2.4.5', 'v2.4.5/3.0.9', 1],
    ['Seata v1.2.0', 'v1.2.1', 0],
    ['Seata 1.2', 'v1.20.0', 0],
    ['没有版本号', 'v1.0.0', 0],
  ])('%s vs %s → %s', (question, version, fit) => {
    expect(matchVersion(question, version)).toBe(fit);
  });
});
