// What every view is: an element, a way to reload its data, and whether an
// event concerns it. Reloads are coalesced: a burst of events (a scale to 50)
// costs one reload, not fifty.

import type { ClusterEvent } from './types.js';

export interface View {
  readonly el: HTMLElement;
  /** Reloads the view's data and redraws it. */
  refresh(): Promise<void>;
  /** Whether this event may change what the view shows. */
  concerns(ev: ClusterEvent): boolean;
  dispose?(): void;
}

export function notify(message: string | undefined): void {
  const el = document.getElementById('notice');
  if (!el) return;
  el.textContent = message ?? '';
  el.hidden = !message;
}

/** Runs `f` at most once per `ms`, trailing: the last call always gets its run. */
export function coalesce(f: () => Promise<void>, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;
  const run = async () => {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await f();
    } finally {
      running = false;
      if (again) {
        again = false;
        timer ??= setTimeout(() => void run(), ms);
      }
    }
  };
  return () => {
    timer ??= setTimeout(() => void run(), ms);
  };
}
