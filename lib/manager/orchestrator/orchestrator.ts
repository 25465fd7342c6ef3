// The orchestrator: a leader loop that runs planOrchestration over the store
// and commits its actions, one transaction per service; it runs again when
// the store changes, and when an update's delay or monitor period ends.

import { ManagerError } from '../errors';
import { Manager } from '../manager';
import { PassResult, ReconcileLogger, ReconcileLoop } from '../reconcile-loop';
import { DEFAULT_CLUSTER_SPEC } from '../cluster-init';
import { planOrchestrationPass } from './plan';

export class Orchestrator extends ReconcileLoop {
  readonly name = 'orchestrator';

  constructor(m: Manager, log: ReconcileLogger) {
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
    });
    let retry = false;
    for (const actions of plans) {
      try {
        await this.m.write(actions);
      } catch (e) {
        // A status report or a user's change got in between: the next pass sees it.
        if (e instanceof ManagerError && (e.code === 'Conflict' || e.code === 'NotFound')) retry = true;
        else throw e;
      }
    }
    return wakeAt === undefined ? { retry } : { retry, wakeAt };
  }
}
