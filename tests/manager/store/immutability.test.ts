import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { thaw } from '../../../lib/manager/store/deep-freeze';
import { Node } from '../../../lib/api/types';
import { Draft } from '../../../lib/manager/store/transaction';
import { node, tx } from './fixtures';

describe('callers cannot change the store behind its back', () => {
  test('returned objects are frozen all the way down', () => {
    const s = new MemoryStore();
    s.apply(1, tx({ op: 'create', kind: 'node', object: node('n1', 'h1') }));
    const n = s.get('node', 'n1')!;
    // The types already forbid this; the casts show the runtime refuses it too.
    expect(() => {
      (n as Node).role = 'manager';
    }).toThrow(TypeError);
    expect(() => {
      (n.spec.labels as Record<string, string>).x = 'y';
    }).toThrow(TypeError);
    expect(() => {
      (n.description!.resources as { nanoCPUs: number }).nanoCPUs = 0;
    }).toThrow(TypeError);
    expect(() => {
      (s.list('node') as Node[]).pop();
    }).not.toThrow(); // lists are fresh arrays
    expect(s.get('node', 'n1')).toEqual({ ...node('n1', 'h1'), meta: n.meta });
  });

  test('changing a proposed transaction after apply changes nothing stored', () => {
    const s = new MemoryStore();
    const draft: Draft<Node> = node('n1', 'h1');
    s.apply(1, tx({ op: 'create', kind: 'node', object: draft }));
    draft.spec.labels.sneaky = 'yes';
    draft.role = 'manager';
    expect(s.get('node', 'n1')!.spec.labels).toEqual({});
    expect(s.nodesByRole('manager')).toEqual([]);
  });

  test('thaw gives a mutable copy to edit and propose', () => {
    const s = new MemoryStore();
    s.apply(1, tx({ op: 'create', kind: 'node', object: node('n1', 'h1') }));
    const copy = thaw(s.get('node', 'n1')!);
    copy.spec.availability = 'drain';
    expect(s.get('node', 'n1')!.spec.availability).toBe('active');
    expect(s.apply(2, tx({ op: 'update', kind: 'node', object: copy, expectedVersion: copy.meta.version })).ok).toBe(true);
    expect(s.get('node', 'n1')!.spec.availability).toBe('drain');
  });
});
