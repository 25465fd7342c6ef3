// Following the store's changes for as long as a loop runs: every event goes
// to `onEvent`; when the watch overflows (the loop fell behind) it is opened
// again and `onLost` is told that changes were missed, so the loop can fall
// back to sending everything.

import type { Kind } from '../../api/types';
import type { MemoryStore, StoreEvent } from '../store';

export interface StoreFollower {
  stop(): void;
}

export function followStore(
  store: MemoryStore,
  kinds: readonly Kind[],
  onEvent: (ev: StoreEvent) => void,
  onLost: () => void,
): StoreFollower {
  let stopped = false;
  let watcher = store.watch({ kinds });
  const follow = async (): Promise<void> => {
    for (;;) {
      try {
        for await (const ev of watcher) onEvent(ev);
        return;
      } catch {
        if (stopped) return;
        onLost();
        watcher = store.watch({ kinds });
      }
    }
  };
  void follow();
  return {
    stop() {
      stopped = true;
      watcher.close();
    },
  };
}
