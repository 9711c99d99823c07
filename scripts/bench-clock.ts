/** Milliseconds since the epoch at sub-millisecond resolution, comparable between the bench's processes. */
export const clock = (): number => performance.timeOrigin + performance.now();
