// GET /v1/events: the manager's cluster events as newline-delimited JSON,
// answered by any manager from its own store (no leader needed). The query is
// checked before the stream starts, so bad input gets a 400 and no stream.

import { parseEventFilters, parseEventTime } from '../api/cluster-events';
import { Manager } from '../manager/manager';
import { ControlError } from './control-server';
import { Router } from './router';

export function eventsRoute(r: Router, m: Manager): void {
  r.on('GET', '/v1/events', async (req) => {
    const now = m.clock();
    const time = (key: 'since' | 'until') => {
      const v = req.query.get(key);
      if (v === null) return undefined;
      try {
        return parseEventTime(v, now, `--${key}`);
      } catch (e) {
        throw new ControlError(400, e instanceof Error ? e.message : String(e));
      }
    };
    const sinceMs = time('since');
    const untilMs = time('until');
    if (sinceMs !== undefined && untilMs !== undefined && untilMs < sinceMs) {
      throw new ControlError(400, '--until is before --since: no event can match');
    }
    let filters;
    try {
      filters = parseEventFilters(req.query.getAll('filter'));
    } catch (e) {
      throw new ControlError(400, e instanceof Error ? e.message : String(e));
    }
    return { status: 200, body: null, stream: m.events.subscribe({ sinceMs, untilMs, filters }, req.signal) };
  });
}
