import { existsSync, readFileSync } from 'fs';
import { dirname, resolve } from 'path';
import type { ComposeInputFile, LoadStackInput } from './types';

// The one place that touches the disk: reads the `-c` files (or stdin for
// "-"), the variables file (--env-file, else a `.env` beside the first
// compose file, as `docker compose` does) and gives loadStack a reader for
// the services' env_file entries. Relative paths in the files are taken
// from the first file's directory, as docker does (the current directory
// when that file is stdin).

export interface ReadStackOptions {
  /** As given to -c, in order; "-" reads stdin. */
  composeFiles: string[];
  /** --env-file; when absent, `.env` beside the first compose file is used if it exists. */
  envFile?: string;
  env: Record<string, string | undefined>;
  /** Default: process.cwd(). */
  cwd?: string;
  /** Reads standard input, for "-". Default: the process's stdin. */
  readStdin?: () => string;
}

function read(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

export function readStackInput(opts: ReadStackOptions): LoadStackInput {
  if (opts.composeFiles.length === 0) throw new Error('specify a Compose file (with --compose-file)');
  const cwd = opts.cwd ?? process.cwd();
  const stdin = opts.readStdin ?? (() => readFileSync(0, 'utf8'));
  const files: ComposeInputFile[] = opts.composeFiles.map((p) =>
    p === '-' ? { path: '-', content: stdin() } : { path: p, content: read(resolve(cwd, p), 'compose file') },
  );
  const first = opts.composeFiles[0];
  const workingDir = first === '-' ? cwd : dirname(resolve(cwd, first));
  let envFile: ComposeInputFile | undefined;
  if (opts.envFile !== undefined) {
    envFile = { path: opts.envFile, content: read(resolve(cwd, opts.envFile), 'env file') };
  } else {
    const beside = resolve(workingDir, '.env');
    if (existsSync(beside)) envFile = { path: beside, content: read(beside, 'env file') };
  }
  return {
    files,
    env: opts.env,
    envFile,
    workingDir,
    readEnvFile: (path) => readFileSync(path, 'utf8'),
  };
}
