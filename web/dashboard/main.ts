// The page: a view per address (#/cluster, #/services, #/service/NAME,
// #/events, #/deploy), switched without reloading, and one event stream that
// keeps whichever view is shown up to date.

import { adoptToken, stream } from './api.js';
import { ClusterView } from './cluster-view.js';
import { DeployView } from './deploy-view.js';
import { EventsView } from './events-view.js';
import { ServiceView } from './service-view.js';
import { ServicesView } from './services-view.js';
import type { ClusterEvent } from './types.js';
import { coalesce, notify, View } from './view.js';

const KEPT_EVENTS = 1000;
const kept: ClusterEvent[] = [];
let current: View | undefined;
let scheduleRefresh: () => void = () => undefined;

function viewFor(hash: string): View {
  const [, name, arg] = /^#\/([a-z]+)\/?(.*)$/.exec(hash) ?? [];
  switch (name) {
    case 'services':
      return new ServicesView();
    case 'service':
      return arg ? new ServiceView(decodeURIComponent(arg)) : new ServicesView();
    case 'events':
      return new EventsView(() => kept);
    case 'deploy':
      return new DeployView();
    default:
      return new ClusterView();
  }
}

async function load(view: View): Promise<void> {
  try {
    await view.refresh();
    if (view === current) notify(undefined);
  } catch (e) {
    if (view === current) notify((e as Error).message);
  }
}

function route(): void {
  current?.dispose?.();
  const view = viewFor(location.hash);
  current = view;
  scheduleRefresh = coalesce(() => load(view), 200);
  const main = document.getElementById('main')!;
  main.replaceChildren(view.el);
  for (const a of document.querySelectorAll('nav a')) {
    const here = location.hash.startsWith(a.getAttribute('href') ?? '') || (location.hash === '' && a.getAttribute('href') === '#/cluster');
    if (here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  void load(view);
}

function setLive(text: string, ok: boolean): void {
  const el = document.getElementById('live')!;
  el.textContent = text;
  el.className = ok ? 'live ok' : 'live';
}

/** Follows the event stream for as long as the page is open, reconnecting with backoff. */
async function follow(): Promise<void> {
  for (let delay = 1000; ; delay = Math.min(delay * 2, 15_000)) {
    const abort = new AbortController();
    try {
      setLive('live', true);
      // After a reconnect, what was missed meanwhile is read afresh.
      scheduleRefresh();
      await stream(
        '/v1/events',
        (item) => {
          if ((item as { gap?: string }).gap !== undefined) {
            scheduleRefresh();
            return;
          }
          const ev = item as ClusterEvent;
          kept.push(ev);
          if (kept.length > KEPT_EVENTS) kept.splice(0, kept.length - KEPT_EVENTS);
          delay = 1000;
          if (current?.concerns(ev)) scheduleRefresh();
        },
        abort.signal,
      );
    } catch (e) {
      setLive(`reconnecting (${(e as Error).message})`, false);
    }
    setLive('reconnecting…', false);
    await new Promise((r) => setTimeout(r, delay));
  }
}

adoptToken();
window.addEventListener('hashchange', () => {
  route();
  document.getElementById('main')?.focus();
});
route();
void follow();
