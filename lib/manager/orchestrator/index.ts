export { Orchestrator } from './orchestrator';
export { planOrchestration } from './plan';
export type { PlanInput } from './plan';
export { decideRestart } from '../../api/restart-policy';
