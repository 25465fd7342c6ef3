import { parsePublish, parsePublishRm, portKey } from '../../../lib/cli/service-flags/ports';

const port = (publishedPort: number, targetPort: number, protocol: 'tcp' | 'udp' = 'tcp', publishMode: 'host' | 'ingress' = 'ingress') => ({
  protocol,
  targetPort,
  publishedPort,
  publishMode,
});

describe('--publish, short form', () => {
  test.each([
    ['8080:80', [port(8080, 80)]],
    ['8080:80/udp', [port(8080, 80, 'udp')]],
    ['8080:80/UDP', [port(8080, 80, 'udp')]],
    ['8080:80/', [port(8080, 80)]],
    ['80', [port(0, 80)]],
    ['53/udp', [port(0, 53, 'udp')]],
    ['8000-8001:80-81', [port(8000, 80), port(8001, 81)]],
    ['8000-8002:80', [port(8000, 80), port(8001, 80), port(8002, 80)]],
    ['80-81', [port(0, 80), port(0, 81)]],
  ])('%s', (text, ports) => {
    expect(parsePublish('publish', text)).toEqual(ports);
  });
  test.each([
    ['127.0.0.1:8080:80', 'hostip is not supported'],
    ['8080:80/sctp', 'protocol sctp is not supported, use tcp or udp'],
    ['8080:80/xyz', "invalid protocol value 'xyz': use tcp or udp"],
    ['8080:', 'no port specified'],
    ['8080:abc', 'invalid containerPort: abc'],
    ['abc:80', 'invalid hostPort: abc'],
    ['8080:70000', 'invalid containerPort: 70000'],
    ['8080:0', 'invalid containerPort: 0'],
    ['8000-8002:80-81', 'invalid ranges specified for container and host Ports: 80-81 and 8000-8002'],
    ['8080:81-80', 'invalid range specified for port: 81-80'],
    ['8080:80/tcp/x', 'invalid proto: tcp/x'],
  ])('refuses %p', (text, why) => {
    expect(() => parsePublish('publish', text)).toThrow(`invalid argument "${text}" for "--publish" flag: ${why}`);
  });
});

describe('--publish, long form', () => {
  test.each([
    ['published=8080,target=80', port(8080, 80)],
    ['target=80', port(0, 80)],
    ['published=8080,target=80,protocol=udp,mode=host', port(8080, 80, 'udp', 'host')],
    ['Target=80,Mode=HOST', port(0, 80, 'tcp', 'host')],
    ['"target=80",published=1', port(1, 80)],
  ])('%s', (text, p) => {
    expect(parsePublish('publish', text)).toEqual([p]);
  });
  test.each([
    ['mode=host', "missing mandatory field 'target'"],
    ['target=80,mode=bridge', "invalid publish mode value (bridge): must be either 'ingress' or 'host'"],
    ['target=80,protocol=icmp', "invalid protocol value 'icmp': use tcp or udp"],
    ['target=http', 'invalid target port (http): must be an integer from 0 to 65535'],
    ['target=80,published=99999', 'invalid published port (99999): must be an integer from 0 to 65535'],
    ['target=80,color=red', "invalid field key 'color': use published, target, protocol or mode"],
    ['target=80,host', "invalid field 'host': expected key=value"],
    ['target=80,"published=1', 'extraneous or missing " in quoted-field'],
  ])('refuses %p', (text, why) => {
    expect(() => parsePublish('publish-add', text)).toThrow(`invalid argument "${text}" for "--publish-add" flag: ${why}`);
  });
});

describe('--publish-rm', () => {
  test('by target, target/proto, published:target, or long form with mode', () => {
    expect(parsePublishRm('publish-rm', '80')).toEqual([{ targetPort: 80, protocol: 'tcp', publishedPort: undefined }]);
    expect(parsePublishRm('publish-rm', '53/udp')).toEqual([{ targetPort: 53, protocol: 'udp', publishedPort: undefined }]);
    expect(parsePublishRm('publish-rm', '8080:80')).toEqual([{ targetPort: 80, protocol: 'tcp', publishedPort: 8080 }]);
    expect(parsePublishRm('publish-rm', 'target=80,mode=host')).toEqual([
      { targetPort: 80, protocol: 'tcp', publishedPort: undefined, publishMode: 'host' },
    ]);
  });
});

test("docker's key for a port", () => {
  expect(portKey(port(8080, 80, 'udp', 'host'))).toBe('8080:80/udp/host');
});
