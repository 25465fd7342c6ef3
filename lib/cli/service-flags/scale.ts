// `service scale web=5 api=2`: one SERVICE=REPLICAS argument, docker's wording for bad ones.

export interface ScaleArg {
  /** Service name, id or id prefix, as typed. */
  service: string;
  replicas: number;
}

export function parseScaleArg(arg: string): ScaleArg {
  const eq = arg.indexOf('=');
  const service = eq < 0 ? '' : arg.slice(0, eq);
  const value = eq < 0 ? '' : arg.slice(eq + 1);
  if (service === '' || value === '') {
    throw new Error(`invalid scale specifier '${arg}': expected SERVICE=REPLICAS, e.g. web=5`);
  }
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new Error(`${service}: invalid replicas value ${value}: replicas must be a non-negative integer`);
  }
  return { service, replicas: Number(value) };
}
