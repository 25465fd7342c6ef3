// `swarm config create | ls | inspect | rm`: as `swarm secret …` (secret.ts),
// except that a config's data is shown by inspect, as docker shows it.

import { Command } from 'commander';
import { registerBlobCommands } from './secret';

export function registerConfigCommands(program: Command): void {
  registerBlobCommands(program, 'config');
}
