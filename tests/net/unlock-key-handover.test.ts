// The unlock key handed to a node becoming a manager of an autolocked cluster
// (docs/encryption.md): in the join answer and in the promotion's certificate
// message. Only a well-formed key is taken, and a join answer offers it to
// managers only; anything else is refused as invalid protocol, not stored.

import { parseManagerMessage } from '../../lib/api/dispatcher-protocol';
import { generateUnlockKey } from '../../lib/ca';
import { checkJoinResponse } from '../../lib/net/join-protocol';

const CERT = '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n';
const joinAnswer = (o: Record<string, unknown>) => ({ nodeId: 'n1', role: 'manager', certPem: CERT, caCertPem: CERT, clusterId: 'c1', managers: [], raftId: 7, ...o });

describe('the unlock key handed to a new manager', () => {
  it('comes through a join answer for a manager, and is refused for a worker or when malformed', () => {
    const key = generateUnlockKey();
    const r = checkJoinResponse(joinAnswer({ unlockKey: key }));
    expect(r.ok && r.value.unlockKey).toBe(key);
    expect(checkJoinResponse(joinAnswer({ role: 'worker', raftId: undefined, unlockKey: key }))).toEqual({ ok: false, reason: 'unlockKey is only for managers' });
    expect(checkJoinResponse(joinAnswer({ unlockKey: 'SWMKEY-1-short' }))).toEqual({ ok: false, reason: 'unlockKey is not an unlock key' });
    const none = checkJoinResponse(joinAnswer({}));
    expect(none.ok && 'unlockKey' in none.value).toBe(false);
  });

  it("comes through a promotion's certificate message, and a malformed one is a protocol error", () => {
    const key = generateUnlockKey();
    const msg = (unlockKey: unknown) => JSON.stringify({ v: 1, type: 'certificate', role: 'manager', certPem: CERT, raftId: 3, unlockKey });
    const r = parseManagerMessage(msg(key));
    expect(r.ok && r.value.type === 'certificate' && r.value.unlockKey).toBe(key);
    const bad = parseManagerMessage(msg(42));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/unlockKey is not an unlock key/);
  });
});
