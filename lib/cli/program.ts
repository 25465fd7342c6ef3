import { Command } from 'commander';
import { registerNetworkCommands } from './commands/network';
import { registerNodeCommands } from './commands/node';
import { registerSwarmCommands } from './commands/swarm';
import { registerLockCommands } from './commands/swarm-lock';
import { registerServiceCommands } from './commands/service';
import { registerStackCommands } from './commands/stack';
import { registerEventsCommand } from './commands/events';
import { registerDashboardCommand } from './commands/dashboard';
import { registerSecretCommands } from './commands/secret';
import { registerConfigCommands } from './commands/config';
import { packageVersion } from './package-version';

const DESCRIPTION = [
  'swarm is a Docker Swarm-style cluster orchestrator.',
  'Manager nodes keep the cluster state in a Raft quorum; worker nodes run',
  'service tasks as containers on their local Docker engine.',
].join('\n');

// Said plainly so nobody goes looking for commands that do not exist yet.
const STATUS = `
Status: a swarm of managers and workers (init, join, start, stop, leave, info,
join-token, node ...) runs services on Docker containers or processes
(service ...) on overlay networks with a routing mesh (network ...), and
stacks from compose files (stack ...) with their secrets and configs (secret ...,
config ...); managers encrypt their Raft log (init --autolock, unlock,
unlock-key); cluster events stream with events, --metrics-addr serves
Prometheus metrics, and dashboard serves a web dashboard.`;

/**
 * Builds the `swarm` command line. Kept apart from bin/cli.ts so tests can drive it
 * in-process with exitOverride() and configureOutput() instead of spawning node.
 */
export function buildProgram(): Command {
  const program = new Command('swarm');
  program
    // `service create IMAGE COMMAND...` passes the words after IMAGE through (commander needs both).
    .enablePositionalOptions()
    .description(DESCRIPTION)
    .version(packageVersion(), '-v, --version', 'print the swarm version and exit')
    .helpOption('-h, --help', 'show this help and exit')
    .addHelpText('after', STATUS)
    .showHelpAfterError("(run 'swarm --help' for usage)")
    .option('--data-dir <dir>', 'the node data dir (default: $SWARM_DATA_DIR, /var/lib/swarm as root, else ~/.local/share/swarm)')
    // Lets a stray word reach the action, which names it, instead of commander's
    // "too many arguments".
    .allowExcessArguments()
    .action(() => {
      const [word] = program.args;
      if (word !== undefined) program.error(`error: unknown command '${word}'`);
      program.help();
    });
  registerSwarmCommands(program);
  registerLockCommands(program);
  registerNodeCommands(program);
  registerServiceCommands(program);
  registerNetworkCommands(program);
  registerStackCommands(program);
  registerSecretCommands(program);
  registerConfigCommands(program);
  registerEventsCommand(program);
  registerDashboardCommand(program);
  // With positional options on, a global option after the subcommand would be
  // unknown; every leaf command takes --data-dir too, so both places work.
  for (const leaf of leaves(program)) leaf.option('--data-dir <dir>', 'the node data dir');
  return program;
}

function leaves(cmd: Command): Command[] {
  if (cmd.commands.length === 0) return [cmd];
  return cmd.commands.flatMap(leaves);
}
