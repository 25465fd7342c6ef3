import { type ComposeIssue, ComposeError, formatPath } from '../errors';
import type { LoadedStack } from '../types';
import { stackNetworkRequests } from './networks';
import { stackFileObjects, stackVolumes } from './objects';
import { convertService } from './service';
import type { ConvertedStack } from './types';
import { unsupportedNotices } from './unsupported';

// convertStack: a loaded stack as what the cluster deploys. It fails (a
// ComposeError pointing at the file) only for what cannot run here at all:
// job modes, sctp ports, npipe/image/cluster mounts, names that are not
// valid service or network names, network drivers other than overlay, secret
// and config drivers. Everything else the cluster cannot honour yet is
// converted without it and listed in `notices`.

// swarmkit's rule for service names: one DNS label.
const SERVICE_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

/** docker's validateStackName: not empty once quotes and blanks are trimmed. */
export function validateStackName(namespace: string): void {
  if (namespace.replace(/^[\s"']+|[\s"']+$/g, '') === '') throw new Error(`invalid stack name: ${JSON.stringify(namespace)}`);
}

export function convertStack(stack: LoadedStack, namespace: string): ConvertedStack {
  validateStackName(namespace);
  const issues: ComposeIssue[] = [];
  const notices: string[] = [];
  const services = [];
  const error = (path: (string | number)[], message: string, key = false) => {
    const at = key ? stack.locator.locateKey(path) : stack.locator.locate(path);
    issues.push({ file: at.file, path: formatPath(path), line: at.line, column: at.column, message });
  };
  for (const s of stack.services) {
    const name = `${namespace}_${s.name}`;
    if (name.length > 63 || !SERVICE_NAME.test(name)) {
      error(['services', s.name], `service name ${name} is not valid: use letters and digits with - or _ between them, at most 63 characters`, true);
    }
    const converted = convertService(stack, s, namespace);
    for (const e of converted.errors) error(e.path, e.message);
    notices.push(...unsupportedNotices(s), ...converted.notices);
    services.push(converted.spec);
  }
  const networks = stackNetworkRequests(stack, namespace);
  for (const i of networks.issues) error(i.path, i.message, i.key);
  const secrets = stackFileObjects(stack, namespace, 'secret');
  const configs = stackFileObjects(stack, namespace, 'config');
  for (const i of [...secrets.issues, ...configs.issues]) error(i.path, i.message, i.path.length === 2);
  if (issues.length > 0) throw new ComposeError(issues);
  const volumes = stackVolumes(stack, namespace);
  return {
    namespace,
    services,
    networks: networks.networks,
    volumes: volumes.volumes,
    secrets: secrets.objects,
    configs: configs.objects,
    notices: [...networks.notices, ...volumes.notices, ...notices],
  };
}
