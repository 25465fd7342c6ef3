// Checks on a whole spec after the flags are applied, the ones swarmkit's
// control API makes on create and update, done before anything is sent so a
// bad combination is reported as the flags' fault, in one line.

import { autoscalePolicyProblem } from '../../api/autoscale-policy';
import type { ServiceSpec } from '../../api/service-types';
import { flagError } from './errors';

// swarmkit's rule: the name must work as one DNS label, since tasks and
// containers are named after it.
const SERVICE_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

export function checkServiceName(name: string): void {
  if (name.length > 63 || !SERVICE_NAME.test(name)) {
    throw flagError('name', name, 'must be valid as a DNS name component: letters and digits, with - or _ between them, at most 63 characters');
  }
}

export function checkServiceSpec(spec: ServiceSpec): void {
  if (spec.name !== '') checkServiceName(spec.name);
  if (spec.task.container.image.trim() === '') throw new Error('an image is required');
  const targets = new Set<string>();
  for (const m of spec.task.container.mounts) {
    if (targets.has(m.target)) throw new Error(`duplicate mount point: ${m.target}`);
    targets.add(m.target);
  }
  const published = new Set<string>();
  for (const p of spec.endpoint.ports) {
    // The routing mesh balances on a virtual IP, which dnsrr does not have.
    if (spec.endpoint.mode === 'dnsrr' && p.publishMode === 'ingress') {
      throw new Error(
        `port ${p.publishedPort || '(any)'}:${p.targetPort}/${p.protocol} is published in ingress mode, which cannot be used with --endpoint-mode dnsrr (use mode=host)`,
      );
    }
    if (p.publishedPort === 0) continue;
    const key = `${p.publishedPort}/${p.protocol}`;
    if (published.has(key)) throw new Error(`published port ${key} is given more than once`);
    published.add(key);
  }
  const autoscale = autoscalePolicyProblem(spec);
  if (autoscale) throw new Error(autoscale);
}
