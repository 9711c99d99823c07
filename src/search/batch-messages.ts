/**
 * Collects the messages posted during one turn of the event loop and sends them together at its
 * end: under load, each message to or from a worker thread costs a wake-up of the other thread,
 * and a batch costs one.
 */
export function batchMessages<T>(send: (batch: T[]) => void): (message: T) => void {
  let batch: T[] | undefined;
  return (message) => {
    if (batch) {
      batch.push(message);
      return;
    }
    const current = [message];
    batch = current;
    setImmediate(() => {
      batch = undefined;
      send(current);
    });
  };
}
