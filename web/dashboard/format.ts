// Texts the views share, as the CLI prints them.

import type { Port, Service, ServiceSpec } from './types.js';

/** docker's PORTS column, simplified: each published port as `*:P->T/proto` (host mode as `P->T/proto (host)`). */
export function portsText(svc: Service): string {
  const ports = svc.endpoint?.ports ?? svc.spec.endpoint.ports;
  return ports.map((p: Port) => (p.publishMode === 'ingress' ? `*:${p.publishedPort}->${p.targetPort}/${p.protocol}` : `${p.publishedPort}->${p.targetPort}/${p.protocol} (host)`)).join(', ');
}

export function autoscaleText(spec: ServiceSpec): string {
  const a = spec.autoscale;
  if (!a) return '';
  const targets = [a.cpuPercent !== undefined ? `cpu ${a.cpuPercent}%` : '', a.memoryPercent !== undefined ? `memory ${a.memoryPercent}%` : ''].filter(Boolean).join(', ');
  return `${a.min}–${a.max} (${targets})`;
}

export function updateText(svc: Service): string {
  const u = svc.updateStatus;
  return u ? `${u.state.replace('_', ' ')}${u.message ? `: ${u.message}` : ''}` : '';
}
