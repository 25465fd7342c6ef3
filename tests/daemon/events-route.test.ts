// GET /v1/events checks its query itself (any client may call the socket):
// a bad time or filter is a 400 with the reason, before any stream starts.

import { ControlError, ControlRequest } from '../../lib/daemon/control-server';
import { eventsRoute } from '../../lib/daemon/events-route';
import { Router } from '../../lib/daemon/router';
import { EventLog } from '../../lib/manager/events/event-log';
import type { Manager } from '../../lib/manager/manager';
import { MemoryStore } from '../../lib/manager/store';
import { realTimers } from '../../lib/util/timers';

const NOW = Date.parse('2026-12-03T17:30:00.000Z');

function handler() {
  const store = new MemoryStore();
  const events = new EventLog(store, () => NOW, realTimers);
  events.start();
  const r = new Router();
  // The route reads only the manager's clock and event log.
  eventsRoute(r, { clock: () => NOW, events } as unknown as Manager);
  const h = r.handler();
  return (query: string) => {
    const req: ControlRequest = { method: 'GET', path: '/v1/events', query: new URLSearchParams(query), body: undefined, signal: new AbortController().signal };
    return h(req);
  };
}

test.each([
  ['filter=colour%3Dred', /invalid filter key "colour"/],
  ['filter=type%3Dcontainer', /invalid filter type=container/],
  ['since=whenever', /invalid --since "whenever"/],
  ['until=later', /invalid --until "later"/],
  ['since=5m&until=10m', /--until is before --since/],
])('%s is a 400 with the reason', async (query, msg) => {
  const call = handler();
  const err = await call(query).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ControlError);
  expect(err).toMatchObject({ status: 400, message: expect.stringMatching(msg) });
});

test('a good query streams; an --until past ends at once', async () => {
  const call = handler();
  const res = await call('until=1700000000&filter=type%3Dservice&filter=event%3Dupdate');
  expect(res.status).toBe(200);
  const items: unknown[] = [];
  for await (const x of res.stream!) items.push(x);
  expect(items).toEqual([]);
});
