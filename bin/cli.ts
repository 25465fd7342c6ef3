import { buildProgram } from '../lib/cli/program';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`swarm: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
