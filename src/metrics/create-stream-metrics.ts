import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './create-metrics.js';

/** Why a Stream connection was replaced or an open failed. */
export const RECONNECT_CAUSES = ['dropped', 'silent', 'disconnect', 'refused', 'unauthorized'] as const;
export type ReconnectCause = (typeof RECONNECT_CAUSES)[number];

/** The Stream client's metrics, registered only in Stream mode. */
export interface StreamMetrics {
  reconnects: Counter<'cause'>;
  /** Frames received, by type (SYSTEM, CALLBACK, EVENT) and topic (fixed values; anything else is "other"). */
  frames: Counter<'type' | 'topic'>;
  /** Seconds from a CALLBACK frame's arrival to its ack being written to the socket. */
  ackDuration: Histogram;
}

export function createStreamMetrics(registry: Registry, state: () => { connected: boolean; connections: number }): StreamMetrics {
  const registers = [registry];
  new Gauge({
    name: `${METRIC_PREFIX}stream_connected`,
    help: 'Whether a DingTalk Stream connection is open (1) or not (0)',
    registers,
    collect() {
      this.set(state().connected ? 1 : 0);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}stream_connections`,
    help: 'Open DingTalk Stream connections: 1, or 2 during the hand-over after a disconnect',
    registers,
    collect() {
      this.set(state().connections);
    },
  });
  const metrics: StreamMetrics = {
    reconnects: new Counter({ name: `${METRIC_PREFIX}stream_reconnects_total`, help: 'Stream connections replaced or opens failed, by cause', labelNames: ['cause'], registers }),
    frames: new Counter({ name: `${METRIC_PREFIX}stream_frames_total`, help: 'Stream frames received, by type and topic', labelNames: ['type', 'topic'], registers }),
    ackDuration: new Histogram({
      name: `${METRIC_PREFIX}stream_ack_duration_seconds`,
      help: 'Time from a CALLBACK frame arriving to its ack being written to the socket',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    }),
  };
  for (const cause of RECONNECT_CAUSES) metrics.reconnects.inc({ cause }, 0);
  return metrics;
}
