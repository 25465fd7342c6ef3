import { parseMount } from '../../../lib/cli/service-flags/mounts';

const cwd = '/home/me/project';

describe('--mount', () => {
  test.each([
    ['type=bind,source=/srv/data,target=/data', { type: 'bind', source: '/srv/data', target: '/data', readOnly: false }],
    ['type=bind,src=/srv,dst=/data,readonly', { type: 'bind', source: '/srv', target: '/data', readOnly: true }],
    ['type=bind,src=/srv,destination=/data,ro=true', { type: 'bind', source: '/srv', target: '/data', readOnly: true }],
    ['type=bind,src=/srv,target=/data,ro=0', { type: 'bind', source: '/srv', target: '/data', readOnly: false }],
    ['type=bind,src=/srv,target=/data,readonly=1', { type: 'bind', source: '/srv', target: '/data', readOnly: true }],
    ['type=bind,src=/srv,target=/data,readonly=false', { type: 'bind', source: '/srv', target: '/data', readOnly: false }],
    ['source=db,target=/var/lib/db', { type: 'volume', source: 'db', target: '/var/lib/db', readOnly: false }],
    ['target=/cache', { type: 'volume', source: '', target: '/cache', readOnly: false }],
    ['TYPE=BIND,Source=/a,Target=/b', { type: 'bind', source: '/a', target: '/b', readOnly: false }],
    // docker makes a source starting with "." absolute on the client
    ['type=bind,src=./conf,target=/etc/app', { type: 'bind', source: '/home/me/project/conf', target: '/etc/app', readOnly: false }],
    ['type=bind,src=..,target=/up', { type: 'bind', source: '/home/me', target: '/up', readOnly: false }],
  ])('%s', (text, mount) => {
    expect(parseMount('mount', text, cwd)).toEqual(mount);
  });

  test.each([
    ['', 'value is empty'],
    ['type=tmpfs,target=/t', "mount type 'tmpfs' is not supported (use bind or volume)"],
    ['type=disk,target=/t', "invalid mount type 'disk' (use bind or volume)"],
    ['type=bind,target=/t', 'invalid mount config for type "bind": field Source must not be empty'],
    ['type=bind,source=/s', 'invalid mount config for type "bind": field Target must not be empty'],
    ['type=volume,source=v,target=rel', 'invalid mount config for type "volume": invalid mount path: \'rel\' mount path must be absolute'],
    ['type=bind,source=srv,target=/t', 'invalid mount config for type "bind": invalid mount path: \'srv\' mount path must be absolute'],
    ['type=volume,source=/srv,target=/t', "invalid mount config for type \"volume\": volume name '/srv' may not contain '/' (use type=bind for a host path)"],
    ['type=bind,source=/s,target=/t,ro=yes', "invalid value for 'ro': yes (use true, 1, false or 0)"],
    ['type=bind,source=/s,target=/t,shared', "invalid field 'shared' must be a key=value pair"],
    ['type=bind,source=/s,target=/t,bind-propagation=rshared', "option 'bind-propagation' is not supported"],
    ['type=volume,target=/t,volume-driver=local', "option 'volume-driver' is not supported"],
    ['type=bind,source=/s,target=/t,color=red', "unknown option 'color' in 'color=red'"],
    ['type=bind,source=,target=/t', "invalid value for 'source': value is empty"],
    ['type=bind,source= /s,target=/t', "invalid value for 'source' in 'source= /s': value should not have whitespace"],
    ['type=bind, source=/s,target=/t', "invalid option 'source' in ' source=/s': option should not have whitespace"],
  ])('refuses %p', (text, why) => {
    expect(() => parseMount('mount', text, cwd)).toThrow(`invalid argument "${text}" for "--mount" flag: ${why}`);
  });
});
