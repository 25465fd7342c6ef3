// The dashboard's own actions: the ones the daemon has no single route for
// (scale and a new image are read-modify-writes of the spec, a stack deploy
// loads compose text). Each is done the way the CLI does it, with the CLI's own
// code, so a click and a command give the same result and the same errors.

import type { StackDeployResult } from '../api/network-api';
import { autoscaleNote, updateService } from '../cli/commands/service';
import type { CliContext } from '../cli/context';
import { HttpRefusal } from '../net/http-replies';

export async function scaleService(ctx: CliContext, ref: string, body: unknown): Promise<{ replicas: number; note: string }> {
  const replicas = (body as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new HttpRefusal(400, 'replicas must be a whole number, 0 or more');
  }
  let note = '';
  await updateService(ctx, ref, ({ service }) => {
    if (service.spec.mode !== 'replicated') throw new HttpRefusal(400, `scale can only be used with replicated mode (${ref} is global)`);
    try {
      note = autoscaleNote(ref, service.spec, replicas).trim();
    } catch (e) {
      throw new HttpRefusal(400, e instanceof Error ? e.message : String(e));
    }
    return { ...service.spec, replicas };
  });
  return { replicas, note };
}

export async function setServiceImage(ctx: CliContext, ref: string, body: unknown): Promise<{ image: string }> {
  const image = (body as { image?: unknown } | undefined)?.image;
  if (typeof image !== 'string' || image.trim() === '' || /\s/.test(image.trim())) throw new HttpRefusal(400, 'image must be an image reference, e.g. nginx:1.27');
  const wanted = image.trim();
  await updateService(ctx, ref, ({ service }) => ({ ...service.spec, task: { ...service.spec.task, container: { ...service.spec.task.container, image: wanted } } }));
  return { image: wanted };
}

/** A positioned problem in the pasted file, as the CLI prints it (`compose.yml:3:5: …`). */
export interface DeployIssue {
  line: number;
  column: number;
  path: string;
  message: string;
  text: string;
}

export type DeployAnswer =
  | { ok: true; result: StackDeployResult; warnings: string[] }
  | { ok: false; error: string; issues: DeployIssue[] };

/** The name the pasted text goes by in errors, as a `-c` file's path would. */
export const PASTED_FILE = 'compose.yml';

/**
 * `swarm stack deploy -c` on pasted text: the same loader and converter, so the
 * same line:column errors. What a browser user pastes must not read the
 * dashboard's machine: no env_file (a pasted file has no directory anyway), and
 * `${VAR}` is interpolated from an empty environment, not the dashboard
 * process's (which may hold credentials the service's spec would then show).
 */
export async function deployPastedStack(ctx: CliContext, name: string, body: unknown): Promise<DeployAnswer> {
  const b = body as { compose?: unknown; prune?: unknown } | undefined;
  if (typeof b?.compose !== 'string' || b.compose.trim() === '') throw new HttpRefusal(400, 'paste a compose file to deploy');
  const { loadStack, convertStack, validateStackName, ComposeError, formatIssue } = await import('../compose');
  try {
    validateStackName(name);
  } catch (e) {
    throw new HttpRefusal(400, e instanceof Error ? e.message : String(e));
  }
  let converted: ReturnType<typeof convertStack>;
  let warnings: string[];
  try {
    const stack = loadStack({
      files: [{ path: PASTED_FILE, content: b.compose }],
      env: {},
      workingDir: process.cwd(),
      readEnvFile: (path) => {
        throw new Error(`env_file ${path}: a compose file pasted in the dashboard cannot read files; deploy it with swarm stack deploy -c`);
      },
    });
    warnings = [...stack.warnings];
    converted = convertStack(stack, name);
  } catch (e) {
    if (e instanceof ComposeError) {
      return {
        ok: false,
        error: e.message,
        issues: e.issues.map((i) => ({ line: i.line, column: i.column, path: i.path, message: i.message, text: formatIssue(i) })),
      };
    }
    throw new HttpRefusal(400, e instanceof Error ? e.message : String(e));
  }
  const result = await ctx.call<StackDeployResult>(
    'POST',
    `/v1/stacks/${encodeURIComponent(name)}/deploy`,
    { services: converted.services, networks: converted.networks, prune: b.prune === true, resolveImage: true },
    120_000,
  );
  return { ok: true, result, warnings: [...warnings, ...converted.notices] };
}
