import { describe, expect, it } from 'vitest';
import { readPastedLog } from '../../src/search/read-pasted-log.js';

// A trace written for this test, shaped like what members paste: the asker's line, a logged
// exception with its causes, frames and a "... n more".
const TRACE = [
  '调用服务一直超时，这是什么原因？',
  '2024-03-01 10:15:02.118 ERROR 3120 --- [rpc-client-7] c.e.demo.OrderClient : call failed',
  'com.alipay.sofa.rpc.core.exception.SofaTimeOutException: com.alipay.remoting.rpc.exception.InvokeTimeoutException: Rpc invocation timeout[responseCommand TIMEOUT]! the address is 10.1.2.3:12200',
  ...Array.from({ length: 40 }, (_, i) => `\tat com.alipay.sofa.rpc.client.AbstractCluster.doInvoke${i}(AbstractCluster.java:${100 + i})`),
  'Caused by: com.alipay.remoting.rpc.exception.InvokeTimeoutException: Rpc invocation timeout',
  '\tat com.alipay.remoting.rpc.RpcResponseResolver.preProcess(RpcResponseResolver.java:118)',
  '\t... 23 more',
].join('\n');

describe('readPastedLog', () => {
  it('leaves an ordinary question as it is', () => {
    const question = 'SOFARPC 调用 at com.foo 是什么意思？超时怎么设置';
    expect(readPastedLog(question)).toBe(question);
  });

  it('keeps the asker words, the exception names and their message from a stack trace', () => {
    const read = readPastedLog(TRACE);
    expect(read).toContain('调用服务一直超时');
    expect(read).toContain('SofaTimeOutException');
    expect(read).toContain('InvokeTimeoutException');
    expect(read).toContain('Rpc invocation timeout');
  });

  it('drops frames, packages, timestamps, levels, threads and addresses', () => {
    const read = readPastedLog(TRACE);
    for (const noise of ['AbstractCluster.java', 'com.alipay', 'doInvoke', '2024-03-01', 'ERROR', 'rpc-client-7', '10.1.2.3', '23 more']) {
      expect(read, noise).not.toContain(noise);
    }
  });

  it('names each exception once and caps what it keeps, however long the paste', () => {
    const long = `${TRACE}\n${TRACE.split('\n').slice(1).join('\n').repeat(20)}`;
    const read = readPastedLog(long);
    expect(read.length).toBeLessThanOrEqual(400);
    expect(read.match(/InvokeTimeoutException/g)).toHaveLength(1);
  });

  it('reads a Go panic the same way', () => {
    const panic = 'mosn 启动就 panic\npanic: runtime error: invalid memory address or nil pointer dereference\ngoroutine 1 [running]:\nmosn.io/mosn/pkg/proxy.(*downStream).run()\n\t/go/src/mosn.io/mosn/pkg/proxy/downstream.go:212 +0x1d\nmain.main()\n\t/go/src/mosn.io/mosn/cmd/mosn/main.go:40 +0x2a';
    const read = readPastedLog(panic);
    expect(read).toContain('mosn 启动就 panic');
    expect(read).toContain('invalid memory address');
    expect(read).not.toContain('downstream.go');
    expect(read).not.toContain('goroutine');
  });
});
