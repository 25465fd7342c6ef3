// Simulated nodes (docs/sim-nodes.md): real joins, real dispatcher sessions,
// fake task execution. In lib/testing because the benches and the tests both
// use them, and they are built only from lib/net and lib/worker, which know
// nothing of the manager.

export { DEFAULT_SIM_DELAYS, SimExecutor } from './sim-executor';
export type { SimDelays } from './sim-executor';
export { SimNode } from './sim-node';
export type { KillMode, SimNodeOptions } from './sim-node';
export { SimFleet } from './sim-fleet';
export type { SimFleetOptions } from './sim-fleet';
