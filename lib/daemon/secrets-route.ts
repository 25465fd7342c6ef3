// /v1/secrets and /v1/configs: create, list, inspect, relabel, remove. A
// secret's data goes in and never comes out through this API (docker's
// `secret inspect` has no Data either); a config's does, base64, as docker's
// `config inspect` shows it.

import { Manager } from '../manager/manager';
import { Blob, BlobCreate, BlobKind, createBlob, removeBlob, resolveBlob, secretView, updateBlobLabels } from '../manager/secret-ops';
import { DeepReadonly } from '../manager/store';
import { ControlError } from './control-server';
import { ok, Router } from './router';

type Fail = (e: unknown) => never;

/** What a listing or an inspect shows of one. */
export function blobView(kind: BlobKind, b: DeepReadonly<Blob>): unknown {
  return kind === 'secret' ? secretView(b) : b;
}

export function secretsRoutes(r: Router, m: Manager, fail: Fail, sync: () => Promise<boolean>): void {
  for (const kind of ['secret', 'config'] as const) {
    const base = `/v1/${kind}s`;
    r.on('POST', base, async (req) => {
      const b = req.body as Partial<BlobCreate> | undefined;
      if (typeof b !== 'object' || b === null) throw new ControlError(400, `the request must carry the ${kind}'s name and data`);
      const created = await createBlob(m, kind, b as BlobCreate).catch(fail);
      return ok({ id: created.id });
    });
    r.on('GET', base, async () => {
      const fresh = await sync();
      return ok({ stale: !fresh, [`${kind}s`]: m.store.list(kind).map((b) => blobView(kind, b)) });
    });
    r.on('GET', `${base}/:ref`, async (_req, p) => {
      const fresh = await sync();
      let b: DeepReadonly<Blob>;
      try {
        b = resolveBlob(m, kind, p.ref);
      } catch (e) {
        return fail(e);
      }
      return ok({ stale: !fresh, [kind]: blobView(kind, b) });
    });
    r.on('POST', `${base}/:ref/update`, async (req, p) => {
      const b = req.body as { labels?: unknown; version?: unknown } | undefined;
      if (typeof b !== 'object' || b === null || b.labels === undefined) throw new ControlError(400, `the request must carry the ${kind}'s labels (only labels can be updated)`);
      if (b.version !== undefined && typeof b.version !== 'number') throw new ControlError(400, 'version must be a number');
      const updated = await updateBlobLabels(m, kind, p.ref, b.labels, b.version as number | undefined).catch(fail);
      return ok(blobView(kind, updated));
    });
    r.on('POST', `${base}/:ref/remove`, async (_req, p) => ok({ id: await removeBlob(m, kind, p.ref).catch(fail) }));
  }
}
