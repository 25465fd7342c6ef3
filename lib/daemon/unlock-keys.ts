// Opening a locked manager's two sealed files (data key, TLS key) with the
// keys an operator hands to `swarm unlock`. Both are normally sealed under the
// same unlock key; a crash between the two re-seals after a rotation can leave
// them under the current and the previous key, so what one key opens is kept
// and the next `unlock` may bring the other. Nothing starts until both are open.

import { parseUnlockKey, UnlockKeyError } from '../ca';
import { Credentials, openNodeKey, StoredCredentials } from './credentials';
import { StoredDataKey, unsealDataKey } from './data-key';

/** What earlier keys opened. */
export interface Opened {
  dek?: Buffer;
  keyPem?: string;
}

export type UnlockStep =
  | { done: true; creds: Credentials; dataKey?: { dek: Buffer; stored: StoredDataKey } }
  | { done: false; opened: Opened; message: string };

/** A malformed key or one that opens nothing new throws UnlockKeyError (the data key's refusal first, as before). */
export function unlockWith(creds: StoredCredentials, dataKey: StoredDataKey | undefined, opened: Opened, key: string): UnlockStep {
  parseUnlockKey(key);
  const next: Opened = { ...opened };
  let refusal: UnlockKeyError | undefined;
  const attempt = (f: () => void) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof UnlockKeyError)) throw e;
      refusal ??= e;
    }
  };
  if (dataKey?.kind === 'sealed' && !next.dek) attempt(() => (next.dek = unsealDataKey(dataKey, key)));
  if (creds.key.kind === 'sealed' && !next.keyPem) attempt(() => (next.keyPem = openNodeKey(creds.key, key)));
  const dekOpen = dataKey?.kind !== 'sealed' || next.dek !== undefined;
  const nodeKeyOpen = creds.key.kind !== 'sealed' || next.keyPem !== undefined;
  if (dekOpen && nodeKeyOpen) {
    const dek = dataKey && (dataKey.kind === 'sealed' ? (next.dek as Buffer) : dataKey.dek);
    return {
      done: true,
      creds: { keyPem: creds.key.kind === 'sealed' ? (next.keyPem as string) : creds.key.pem, certPem: creds.certPem, caCertPem: creds.caCertPem },
      dataKey: dataKey && dek && { dek, stored: dataKey },
    };
  }
  const openedNew = next.dek !== opened.dek || next.keyPem !== opened.keyPem;
  if (!openedNew) throw refusal ?? new UnlockKeyError('invalid unlock key');
  const [has, lacks] = dekOpen ? ['data key', 'node key'] : ['node key', 'data key'];
  return {
    done: false,
    opened: next,
    message:
      `the key opened this manager's ${has} but not its ${lacks}, which is sealed under another unlock key ` +
      `(a rotation interrupted by a restart): run 'swarm unlock' again with the previous or the current key`,
  };
}
