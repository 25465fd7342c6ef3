// The layering of lib/ (README, docs/ARCHITECTURE.md): Raft knows nothing of
// containers, the scheduler is pure, the CLI talks to the daemon over its API
// only, a worker never reaches into a manager. Walked from the sources with
// TypeScript's own import scanner, so `export … from`, `import type` and
// dynamic imports count too.

import { readdirSync, readFileSync } from 'fs';
import { dirname, join, normalize, relative } from 'path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');

/** What each area may import besides itself; an area not named here is not restricted. */
const ALLOWED: Record<string, readonly string[]> = {
  util: [],
  api: ['util'],
  raft: ['util'],
  scheduler: ['api', 'util'],
};
/** Imports that are refused whatever ALLOWED says. */
const FORBIDDEN: Record<string, readonly string[]> = {
  compose: ['cli'],
  cli: ['manager', 'worker', 'raft'],
  worker: ['manager', 'raft'],
  // The dashboard is a client of the daemon's socket, as the CLI is.
  dashboard: ['manager', 'worker', 'raft'],
};

interface Edge {
  file: string;
  target: string;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every import of a file in lib/ that resolves to another file in lib/ ('lib/area/...'). */
function edges(): Edge[] {
  const out: Edge[] = [];
  for (const abs of sources(join(ROOT, 'lib'))) {
    const file = relative(ROOT, abs);
    const { importedFiles } = ts.preProcessFile(readFileSync(abs, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      out.push({ file, target: normalize(join(dirname(file), fileName)) });
    }
  }
  return out;
}

const areaOf = (path: string): string => path.split(/[\\/]/)[1] ?? '';

function violations(list: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const { file, target } of list) {
    const from = areaOf(file);
    const to = areaOf(target);
    if (from === to) continue;
    const allowed = ALLOWED[from];
    if ((allowed && !allowed.includes(to)) || FORBIDDEN[from]?.includes(to)) out.push(`${file} imports ${target} (lib/${from} must not depend on lib/${to})`);
  }
  return out;
}

describe('layering of lib/', () => {
  it('has no import that runs against the layers', () => {
    const all = edges();
    // The walk found the code: a broken walk would pass any rule.
    expect(all.length).toBeGreaterThan(500);
    expect(violations(all)).toEqual([]);
  });

  it('refuses each kind of import the layers forbid', () => {
    const bad: Edge[] = [
      { file: 'lib/raft/core/raft.ts', target: 'lib/manager/store' },
      { file: 'lib/scheduler/schedule.ts', target: 'lib/manager/store' },
      { file: 'lib/compose/index.ts', target: 'lib/cli/table' },
      { file: 'lib/cli/program.ts', target: 'lib/manager/orchestrator/plan' },
      { file: 'lib/cli/program.ts', target: 'lib/raft/core/config' },
      { file: 'lib/worker/agent.ts', target: 'lib/raft/transport/backoff' },
      { file: 'lib/worker/agent.ts', target: 'lib/manager/store' },
      { file: 'lib/api/types.ts', target: 'lib/scheduler/types' },
      { file: 'lib/util/units.ts', target: 'lib/api/types' },
    ];
    expect(violations(bad)).toHaveLength(bad.length);
    const fine: Edge[] = [
      { file: 'lib/raft/core/config.ts', target: 'lib/util/logger' },
      { file: 'lib/scheduler/adapt.ts', target: 'lib/api/types' },
      { file: 'lib/cli/program.ts', target: 'lib/daemon/control-client' },
      { file: 'lib/manager/orchestrator/plan.ts', target: 'lib/scheduler' },
    ];
    expect(violations(fine)).toEqual([]);
  });
});
