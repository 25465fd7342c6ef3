import { exposedPorts, mergeServed, parseProcNet } from '../../lib/worker/executor/served-ports';

// Lines as /proc/PID/net/tcp and udp print them (addresses little-endian hex).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0
   2: 020011AC:1F90 050011AC:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1
   3: 020011AC:01BB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1 0 100 0 0 10 0`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1 0 100 0 0 10 0
   1: 00000000000000000000000001000000:1539 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6 1 0 100 0 0 10 0`;
const UDP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  10: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 7 2 0 0
  11: 020011AC:D431 08080808:0035 01 00000000:00000000 00:00000000 00000000     0        0 8 2 0 0`;

describe('served ports', () => {
  test('listening TCP sockets count, loopback-only and connected ones do not', () => {
    expect(parseProcNet(TCP, 'tcp')).toEqual([{ protocol: 'tcp', port: 8080 }, { protocol: 'tcp', port: 443 }]);
    expect(parseProcNet(TCP6, 'tcp')).toEqual([{ protocol: 'tcp', port: 5432 }]);
  });

  test('bound, unconnected UDP sockets count; a client socket does not', () => {
    expect(parseProcNet(UDP, 'udp')).toEqual([{ protocol: 'udp', port: 53 }]);
  });

  test("the image's EXPOSE and the merge, sorted and without duplicates", () => {
    expect(exposedPorts({ '80/tcp': {}, '53/udp': {}, bogus: {} })).toEqual([{ protocol: 'tcp', port: 80 }, { protocol: 'udp', port: 53 }]);
    expect(mergeServed([{ protocol: 'tcp', port: 80 }], [{ protocol: 'udp', port: 53 }, { protocol: 'tcp', port: 80 }])).toEqual([
      { protocol: 'udp', port: 53 },
      { protocol: 'tcp', port: 80 },
    ]);
  });
});
