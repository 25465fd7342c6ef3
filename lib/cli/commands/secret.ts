// `swarm secret create | ls | inspect | rm`, and (registerBlobCommands with
// 'config') `swarm config …`: docker's commands, flags and output. The
// content is read here (a file, or stdin for "-") and sent once; the API
// never gives a secret's data back.

import { closeSync, openSync, readSync, statSync } from 'fs';
import { Command, Option } from 'commander';
import { MAX_SECRET_BYTES } from '../../api/secret-types';
import { DaemonError } from '../../daemon/control-client';
import { action, contextOf, STALE_WARNING } from '../context';
import { filterBlobs, renderBlobInspect, renderBlobList, renderBlobPretty, type StoredBlob } from '../render';
import { parseLabels } from '../service-flags/labels';

type Kind = 'secret' | 'config';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** Reads at most MAX_SECRET_BYTES + 1 bytes, so a huge file or stream is refused without reading it all. */
function readBounded(fd: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue; // a non-blocking stdin with nothing yet
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    total += n;
    if (total > MAX_SECRET_BYTES) break;
  }
  return Buffer.concat(chunks);
}

/** The content of FILE, or of stdin for "-", checked for docker's size bounds. */
export function readBlobContent(kind: Kind, file: string): Buffer {
  let data: Buffer;
  if (file === '-') {
    data = readBounded(0);
  } else {
    let fd: number;
    try {
      if (statSync(file).isDirectory()) throw new Error(`${file} is a directory`);
      fd = openSync(file, 'r');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(`cannot read ${kind} file ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    }
    try {
      data = readBounded(fd);
    } finally {
      closeSync(fd);
    }
  }
  const from = file === '-' ? 'standard input' : file;
  if (data.length === 0) throw new Error(`${kind} data is empty: ${from} holds nothing`);
  if (data.length > MAX_SECRET_BYTES) throw new Error(`${kind} data is too large: ${from} holds more than ${MAX_SECRET_BYTES} bytes (500 KiB)`);
  return data;
}

const path = (kind: Kind, ref: string) => `/v1/${kind}s/${encodeURIComponent(ref)}`;

export function registerBlobCommands(program: Command, kind: Kind): void {
  const what = kind === 'secret' ? 'secrets: small sensitive files for services, under /run/secrets' : 'configs: small files for services, anywhere in the container';
  const cmd = program.command(kind).description(`manage ${what} (on a manager)`);

  const create = cmd
    .command('create')
    .description(`create a ${kind} from a file or from standard input ("-")`)
    .argument(`<${kind}>`, `${kind} name`)
    .argument('<file>', 'file to read the content from, or "-" for standard input')
    .option('-l, --label <key=value>', `${kind} labels (repeatable)`, collect, []);
  if (kind === 'config') create.option('--template-driver <driver>', 'golang: render {{.Service.Name}}, {{.Node.Hostname}}, {{.Task.Slot}}… per task (the placeholders docs/secrets.md lists)');
  create.action(
    action(async (name: string, file: string, f: { label: string[]; templateDriver?: string }, c: Command) => {
      const ctx = contextOf(c);
      const labels = parseLabels('label', f.label);
      const data = readBlobContent(kind, file).toString('base64');
      const created = await ctx.call<{ id: string }>('POST', `/v1/${kind}s`, { name, labels, data, templateDriver: f.templateDriver });
      ctx.out(`${created.id}\n`);
    }),
  );

  cmd
    .command('ls')
    .alias('list')
    .description(`list ${kind}s`)
    .option('-q, --quiet', 'only display ids')
    .option('-f, --filter <key=value>', 'filter output (id, name: prefixes; label=KEY or KEY=VALUE)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(
      action(async (f: { quiet?: boolean; filter: string[]; format: 'table' | 'json' }, c: Command) => {
        const ctx = contextOf(c);
        filterBlobs([], f.filter); // a bad filter sends nothing
        const a = await ctx.call<{ stale: boolean } & Record<string, StoredBlob[]>>('GET', `/v1/${kind}s`);
        if (a.stale) process.stderr.write(STALE_WARNING);
        ctx.out(renderBlobList(kind, filterBlobs(a[`${kind}s`], f.filter), { quiet: f.quiet, format: f.format, now: Date.now() }));
      }),
    );

  cmd
    .command('inspect')
    .description(`display detailed information on one or more ${kind}s${kind === 'secret' ? ' (never their data)' : ''}`)
    .argument(`<${kind}...>`, `${kind} name, id or id prefix`)
    .option('--pretty', 'print the information in a human friendly format')
    .action(
      action(async (refs: string[], f: { pretty?: boolean }, c: Command) => {
        const ctx = contextOf(c);
        const found: StoredBlob[] = [];
        const errors: string[] = [];
        let stale = false;
        for (const ref of refs) {
          try {
            const a = await ctx.call<{ stale: boolean } & Record<string, StoredBlob>>('GET', path(kind, ref));
            stale ||= a.stale;
            found.push(a[kind]);
          } catch (e) {
            if (e instanceof DaemonError && e.status === 404) errors.push(`No such ${kind}: ${ref}`);
            else throw e;
          }
        }
        if (stale) process.stderr.write(STALE_WARNING);
        // As docker: what was found is printed, then each one that was not.
        ctx.out(f.pretty ? renderBlobPretty(kind, found) : renderBlobInspect(kind, found));
        for (const e of errors) {
          process.stderr.write(`Error: ${e}\n`);
          process.exitCode = 1;
        }
      }),
    );

  cmd
    .command('rm')
    .alias('remove')
    .description(`remove one or more ${kind}s (refused while a service uses one)`)
    .argument(`<${kind}...>`, `${kind} name, id or id prefix`)
    .action(
      action(async (refs: string[], _f: unknown, c: Command) => {
        const ctx = contextOf(c);
        // docker tries every one, prints each one removed and each failure on its own line.
        for (const ref of refs) {
          try {
            await ctx.call<{ id: string }>('POST', `${path(kind, ref)}/remove`, {});
            ctx.out(`${ref}\n`);
          } catch (e) {
            if (!(e instanceof DaemonError)) throw e;
            process.stderr.write(`Error: ${e.message}\n`);
            process.exitCode = 1;
          }
        }
      }),
    );
}

export function registerSecretCommands(program: Command): void {
  registerBlobCommands(program, 'secret');
}
