// Error types, so callers can tell a bad token or certificate from a bug.

/** A join token that is malformed or does not belong to this cluster. The message never contains the secret. */
export class JoinTokenError extends Error {
  override name = 'JoinTokenError';
}

/** A certificate, CSR or key that cannot be used: malformed, wrongly signed, expired, or of the wrong shape. */
export class CertificateError extends Error {
  override name = 'CertificateError';
}
