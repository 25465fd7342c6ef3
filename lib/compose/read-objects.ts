// The other place that touches the disk for `stack deploy`: each secret's and
// config's `file:` (made absolute by the loader, from the compose file's
// directory), read and sent to the manager as base64. A file that cannot be
// read, is empty or too large is an error at its `file:` line, all of them
// at once, before anything is sent.

import { readFileSync } from 'fs';
import { MAX_SECRET_BYTES } from '../api/secret-types';
import type { StackBlobRequest } from '../api/stack-blobs';
import { ComposeError, type ComposeIssue, formatPath } from './errors';
import type { ConvertedStack, StackFileObject } from './convert/types';
import type { LoadedStack } from './types';

export function readStackObjects(stack: LoadedStack, converted: ConvertedStack): { secrets: StackBlobRequest[]; configs: StackBlobRequest[] } {
  const issues: ComposeIssue[] = [];
  const read = (kind: 'secret' | 'config', o: StackFileObject): StackBlobRequest => {
    if (o.external) return { name: o.name, external: true };
    const path = [`${kind}s`, o.key, 'file'];
    const fail = (message: string) => {
      const at = stack.locator.locate(path);
      issues.push({ file: at.file, path: formatPath(path), line: at.line, column: at.column, message });
    };
    let data: Buffer | undefined;
    try {
      data = readFileSync(o.file ?? '');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      fail(
        err.code === 'ENOENT'
          ? `${kind} ${o.key}: file ${o.file} does not exist`
          : err.code === 'EISDIR'
            ? `${kind} ${o.key}: ${o.file} is a directory, not a file`
            : `${kind} ${o.key}: cannot read ${o.file}: ${err.message}`,
      );
    }
    if (data !== undefined && data.length === 0) fail(`${kind} ${o.key}: file ${o.file} is empty (a ${kind} must hold at least 1 byte)`);
    if (data !== undefined && data.length > MAX_SECRET_BYTES) fail(`${kind} ${o.key}: file ${o.file} is ${data.length} bytes (at most ${MAX_SECRET_BYTES}, 500 KiB)`);
    const request: StackBlobRequest = { name: o.name, external: false, labels: o.labels, data: data?.toString('base64') ?? '' };
    if (o.templateDriver !== '') request.templateDriver = o.templateDriver;
    return request;
  };
  const secrets = converted.secrets.map((o) => read('secret', o));
  const configs = converted.configs.map((o) => read('config', o));
  if (issues.length > 0) throw new ComposeError(issues);
  return { secrets, configs };
}
