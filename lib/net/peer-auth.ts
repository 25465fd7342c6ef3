// Who is on the other end of a request to the node server. The server asks for
// a client certificate but accepts connections without one (a joining node has
// none), so every route that needs an identity checks it here.

import type { TLSSocket } from 'tls';
import { authorizePeerCertificate, identityFromPeerCertificate, NodeIdentity, PeerRequirement } from '../ca';

export type PeerVerdict = { ok: true; identity: NodeIdentity } | { ok: false; reason: string };

/**
 * ok only when the handshake verified the client's chain against the cluster CA
 * (socket.authorized) and the subject meets `req`. The reason is safe to send
 * back: it names roles and node ids, never key material.
 */
export function verifiedPeer(socket: TLSSocket, req: PeerRequirement): PeerVerdict {
  const cert = socket.getPeerCertificate();
  const presented = cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
  if (!presented) return { ok: false, reason: 'a client certificate of this cluster is required' };
  if (!socket.authorized) {
    const why = socket.authorizationError instanceof Error ? socket.authorizationError.message : String(socket.authorizationError);
    return { ok: false, reason: `client certificate not accepted: ${why}` };
  }
  const verdict = authorizePeerCertificate(cert, req);
  if (verdict !== true) return { ok: false, reason: verdict };
  return { ok: true, identity: identityFromPeerCertificate(cert) };
}
