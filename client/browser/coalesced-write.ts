/**
 * A write that is asked for more often than it needs to run: a torrent's completion record after
 * every verified piece, say. Each call is answered by a write of the latest value that began after
 * the call; while one write runs, the calls that come in are merged into the next. A burst of k
 * calls costs at most two writes, and nothing is reported saved before it is.
 */
export function coalescedWriter<T>(write: (value: T) => Promise<void>): (value: T) => Promise<void> {
  let latest: T;
  let waiting: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  let running = false;

  const drain = async () => {
    running = true;
    while (waiting.length > 0) {
      const answered = waiting;
      waiting = [];
      try {
        await write(latest);
        for (const w of answered) w.resolve();
      } catch (err) {
        for (const w of answered) w.reject(err);
      }
    }
    running = false;
  };

  return (value: T) =>
    new Promise<void>((resolve, reject) => {
      latest = value;
      waiting.push({ resolve, reject });
      if (!running) void drain();
    });
}
