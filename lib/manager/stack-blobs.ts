// A stack's secrets and configs as they will be when it is deployed: external
// ones found by name, missing ones created with the stack's namespace label,
// existing ones of the stack kept when their content is the same (labels
// follow the file). Content never changes under a name (docker's rule, and
// the store's): a changed file is refused with the way out, a new name.

import { StackBlobRequest } from '../api/stack-blobs';
import { ManagerError } from './errors';
import { ControlHost } from './control-host';
import { BlobKind, blobSpec } from './secret-ops';
import { BlobRef } from './service-blobs';
import { canonicalJson } from './store/canonical-json';
import { thaw } from './store';
import { Action } from './store/transaction';

export interface PlannedBlobs {
  byName: Map<string, BlobRef>;
  actions: Action[];
  created: string[];
  updated: string[];
}

export function planStackBlobs(h: ControlHost, namespace: string, namespaceLabel: string, kind: BlobKind, requests: readonly StackBlobRequest[]): PlannedBlobs {
  const out: PlannedBlobs = { byName: new Map(), actions: [], created: [], updated: [] };
  const problems: string[] = [];
  for (const r of requests) {
    if (typeof r?.name !== 'string') {
      problems.push(`a stack ${kind} has no name`);
      continue;
    }
    const existing = h.store.findByName(kind, r.name)[0];
    if (r.external) {
      if (!existing) problems.push(`${kind} "${r.name}" is declared as external, but could not be found; create it first (swarm ${kind} create ${r.name} FILE)`);
      else out.byName.set(r.name, existing);
      continue;
    }
    let spec;
    try {
      spec = blobSpec(kind, { name: r.name, labels: { ...(r.labels ?? {}), [namespaceLabel]: namespace }, data: r.data ?? '', templateDriver: r.templateDriver });
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
      continue;
    }
    if (!existing) {
      const object = { id: h.ids(), spec };
      out.actions.push({ op: 'create', kind, object });
      out.byName.set(r.name, object);
      out.created.push(r.name);
      continue;
    }
    if (existing.spec.labels[namespaceLabel] !== namespace) {
      problems.push(`${kind} ${r.name} already exists and is not part of stack ${namespace}; declare it external: true to use it`);
      continue;
    }
    if (existing.spec.data !== spec.data) {
      problems.push(
        `${kind} ${r.name} already exists with other content, and a ${kind}'s content cannot change (docker: "only updates to Labels are allowed"); ` +
          `give the new content a new name (name: ${r.name}_v2 in the file), or remove the stack first`,
      );
      continue;
    }
    out.byName.set(r.name, existing);
    if (canonicalJson(existing.spec.labels) !== canonicalJson(spec.labels)) {
      const object = thaw(existing);
      object.spec.labels = spec.labels;
      out.actions.push({ op: 'update', kind, object, expectedVersion: existing.meta.version });
      out.updated.push(r.name);
    }
  }
  if (problems.length > 0) throw new ManagerError('Invalid', problems.join('\n'));
  return out;
}
