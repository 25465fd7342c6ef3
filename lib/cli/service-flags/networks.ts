// --network (create), --network-add and --network-rm (update), in docker's
// two forms: a bare `NAME` (or id), or `name=NAME,alias=A,alias=B`. The CLI
// sends what the user named; the manager resolves it and stores the
// network's id as the target, which is why --network-rm and --network-add
// compare against both the stored id and the name the service view maps it to.

import type { NetworkAttachmentConfig } from '../../api/network-types';
import { INGRESS_NETWORK } from '../../api/network-types';
import { splitCsvRecord } from './csv-fields';
import { flagError } from './errors';

// docker's test for the long form: any `word=word` in the value.
const LONG_SYNTAX = /\w+=\w+(,\w+=\w+)*/;

/** One --network/--network-add value as an attachment naming the network as the user wrote it. */
export function parseNetworkFlag(flag: string, value: string): NetworkAttachmentConfig {
  if (!LONG_SYNTAX.test(value)) {
    if (value.trim() === '') throw flagError(flag, value, 'the network name is empty');
    return checkNotIngress(flag, value, { target: value, aliases: [] });
  }
  let fields: string[];
  try {
    fields = splitCsvRecord(value);
  } catch (e) {
    throw flagError(flag, value, (e as Error).message);
  }
  const out: NetworkAttachmentConfig = { target: '', aliases: [] };
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq <= 0) throw flagError(flag, value, `invalid field '${field}': expected key=value`);
    const key = field.slice(0, eq).trim();
    const val = field.slice(eq + 1).trim();
    switch (key) {
      case 'name':
        out.target = val;
        break;
      case 'alias':
        if (val === '') throw flagError(flag, value, 'an alias may not be empty');
        if (!out.aliases.includes(val)) out.aliases.push(val);
        break;
      case 'driver-opt':
        // Refused rather than dropped: the user asked the network driver for
        // something, and the overlay networks here have no driver to ask.
        throw flagError(flag, value, 'driver-opt is not supported: networks here have no driver options');
      case 'ip':
      case 'ip6':
        throw flagError(flag, value, `${key} is not supported: the cluster allocates each task's address`);
      default:
        throw flagError(flag, value, `invalid field key '${key}': use name or alias`);
    }
  }
  if (out.target === '') throw flagError(flag, value, 'network name/id is not specified (name=NAME)');
  return checkNotIngress(flag, value, out);
}

/** Services reach the routing mesh by publishing ports, never by joining its network (swarmkit's rule). */
function checkNotIngress(flag: string, value: string, a: NetworkAttachmentConfig): NetworkAttachmentConfig {
  if (a.target === INGRESS_NETWORK) {
    throw flagError(flag, value, `service cannot be explicitly attached to the ingress network "${INGRESS_NETWORK}"; publish a port instead`);
  }
  return a;
}

/** --network values for `service create`, in the order given; naming one network twice is refused. */
export function parseNetworkFlags(flag: string, values: readonly string[] | undefined): NetworkAttachmentConfig[] {
  const out: NetworkAttachmentConfig[] = [];
  for (const value of values ?? []) {
    const a = parseNetworkFlag(flag, value);
    if (out.some((b) => b.target === a.target)) throw flagError(flag, value, `network ${a.target} is given more than once`);
    out.push(a);
  }
  return out;
}

/** Exactly: the stored target (an id) or the name the service view gives that id. */
function isNamed(ref: string, a: NetworkAttachmentConfig, networkNames: Readonly<Record<string, string>>): boolean {
  return ref === a.target || ref === networkNames[a.target];
}

/** The attachments `ref` names: exact matches first, else those whose id starts with it (docker takes id prefixes too). */
function attachmentsNamed(ref: string, list: readonly NetworkAttachmentConfig[], networkNames: Readonly<Record<string, string>>): NetworkAttachmentConfig[] {
  const exact = list.filter((a) => isNamed(ref, a, networkNames));
  return exact.length > 0 || ref === '' ? exact : list.filter((a) => a.target.startsWith(ref));
}

/**
 * --network-rm, then --network-add, on the stored attachments, as docker
 * applies them. A removal must name exactly one attached network (so a typo
 * is not silently ignored), an addition none that stays attached (docker's
 * "service is already attached to network X"). Kept attachments keep their
 * order, added ones follow in the order given.
 */
export function updateNetworks(
  current: readonly NetworkAttachmentConfig[],
  remove: readonly string[] | undefined,
  add: readonly string[] | undefined,
  networkNames: Readonly<Record<string, string>>,
): NetworkAttachmentConfig[] {
  let kept = current.map((a) => ({ target: a.target, aliases: [...a.aliases] }));
  for (const ref of remove ?? []) {
    const matches = attachmentsNamed(ref, kept, networkNames);
    if (matches.length === 0) throw flagError('network-rm', ref, `the service is not attached to network ${ref}`);
    if (matches.length > 1) throw flagError('network-rm', ref, `${ref} matches more than one attached network; use the full id or name`);
    kept = kept.filter((a) => a !== matches[0]);
  }
  for (const value of add ?? []) {
    const a = parseNetworkFlag('network-add', value);
    if (kept.some((b) => isNamed(a.target, b, networkNames))) throw flagError('network-add', value, `service is already attached to network ${a.target}`);
    kept.push(a);
  }
  return kept;
}
