// The orchestrator: a leader loop that runs planOrchestration over the store
// and commits its actions, one transaction per service, cut in several under
// the entry size bound when the service is big (100,000 new replicas are some
// 60 MiB of actions); it runs again when the store changes, and when an
// update's delay or monitor period ends.

import { chunkActions } from '../entry-size';
import { ManagerError } from '../errors';
import { ControlHost } from '../control-host';
import { PassResult, ReconcileLogger, ReconcileLoop } from '../reconcile-loop';
import { DEFAULT_CLUSTER_SPEC } from '../cluster-init';
import { planOrchestrationPass } from './plan';

export class Orchestrator extends ReconcileLoop {
  readonly name = 'orchestrator';

  constructor(m: ControlHost, log: ReconcileLogger) {
    super(m, ['service', 'task', 'node', 'cluster'], log);
  }

  protected async pass(now: number): Promise<PassResult> {
    const store = this.m.store;
    const cluster = store.list('cluster')[0];
    const { plans, wakeAt } = planOrchestrationPass({
      services: store.list('service'),
      tasks: store.list('task'),
      nodes: store.list('node'),
      historyLimit: cluster?.spec.taskHistoryLimit ?? DEFAULT_CLUSTER_SPEC.taskHistoryLimit,
      now,
      newId: this.m.ids,
    });
    let retry = false;
    for (const plan of plans) {
      // A chunk that conflicts leaves the others written: each action stands on
      // its own (the next pass plans from whatever state results), as it does
      // between services.
      for (const actions of chunkActions(plan, this.m.maxEntryBytes)) {
        try {
          await this.m.write(actions);
        } catch (e) {
          // A status report or a user's change got in between: the next pass sees it.
          if (e instanceof ManagerError && (e.code === 'Conflict' || e.code === 'NotFound')) retry = true;
          else throw e;
        }
      }
    }
    return wakeAt === undefined ? { retry } : { retry, wakeAt };
  }
}
