// lib/worker: what every node runs to be part of the cluster (the agent; task execution comes next).

export { Agent } from './agent';
export type { AgentCredentials, AgentLogger, AgentOptions, AgentState, Registration } from './agent';
