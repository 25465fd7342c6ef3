// POST /v1/dashboard/certificate {csrPem, hosts} → {certPem, caPem}: the
// cluster CA signs `swarm dashboard`'s HTTPS certificate. The dashboard made
// the key and keeps it; only its CSR's public key is used, and the profile
// (lib/ca/dashboard-cert.ts) is server-only and no node credential. Whoever
// can reach this socket (the data dir's owner) already holds a node key, so
// this grants nothing new. Signing is local: every manager holds the CA key in
// its store, so no Raft write and no quorum are needed.

import { CertificateError, signDashboardCertificate } from '../ca';
import { Manager } from '../manager/manager';
import { ControlError } from './control-server';
import { ok, Router } from './router';

export const DASHBOARD_CERT_PATH = '/v1/dashboard/certificate';

export function dashboardCertRoute(r: Router, m: Manager, clusterId: () => string): void {
  r.on('POST', DASHBOARD_CERT_PATH, async (req) => {
    const b = req.body as { csrPem?: unknown; hosts?: unknown } | undefined;
    if (typeof b !== 'object' || b === null || typeof b.csrPem !== 'string' || !Array.isArray(b.hosts)) {
      throw new ControlError(400, 'the request must carry csrPem (a PEM certificate request) and hosts (the addresses the dashboard is served on)');
    }
    const id = clusterId();
    const cluster = m.store.get('cluster', id);
    if (!cluster) throw new ControlError(503, 'the cluster object is not committed yet; retry in a moment');
    try {
      const certPem = await signDashboardCertificate({ ca: cluster.rootCA, csrPem: b.csrPem, clusterId: id, hosts: b.hosts as string[] });
      return ok({ certPem, caPem: cluster.rootCA.certPem });
    } catch (e) {
      if (e instanceof CertificateError || e instanceof RangeError) throw new ControlError(400, e.message);
      throw e;
    }
  });
}
