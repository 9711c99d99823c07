import { describe, expect, it } from 'vitest';
import { canonicalProject, mentionedProject, relatedProjects } from '../../src/knowledge/projects.js';

describe('canonicalProject', () => {
  it.each([
    ['sofa-jraft', 'SOFAJRaft'],
    ['JRaft', 'SOFAJRaft'],
    ['rheakv', 'SOFAJRaft'],
    ['SOFA RPC', 'SOFARPC'],
    ['sofa_boot', 'SOFABoot'],
    ['SOFA MOSN', 'MOSN'],
    ['seata', 'Seata'],
  ])('%s is %s', (name, canonical) => {
    expect(canonicalProject(name)).toBe(canonical);
  });

  it('knows nothing of other names', () => {
    expect(canonicalProject('Dubbo')).toBeUndefined();
  });
});

describe('mentionedProject', () => {
  it.each([
    ['请问 sofa rpc 怎么配置', 'SOFARPC'],
    ['用 SOFA MOSN 的时候', 'MOSN'],
    ['jraft 支持 multi raft 吗', 'SOFAJRaft'],
    ['sofa-registry 6.0 发布', 'SOFARegistry'],
    ['Seata/MOSN 都行', 'Seata'],
  ])('finds the project in %s', (text, project) => {
    expect(mentionedProject(text)).toBe(project);
  });

  it('needs a whole name', () => {
    expect(mentionedProject('SOFAArkLab 系列')).toBeUndefined();
    expect(mentionedProject('so far so good')).toBeUndefined();
  });

  it('relates projects built into one another, both ways, never to themselves', () => {
    expect(relatedProjects('SOFARPC')).toEqual(expect.arrayContaining(['SOFABoot', 'SOFABolt']));
    expect(relatedProjects('SOFABoot')).toContain('SOFARPC');
    expect(relatedProjects('SOFARPC')).not.toContain('SOFARPC');
    expect(relatedProjects('Seata')).toEqual([]);
  });
});
