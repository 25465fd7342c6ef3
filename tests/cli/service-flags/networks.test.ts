import type { ServiceSpec } from '../../../lib/api/service-types';
import { applyServiceUpdate, buildServiceSpec, type UpdateOptions } from '../../../lib/cli/service-flags';
import { deepFreeze } from '../../../lib/manager/store/deep-freeze';
import { fakeContext } from './helpers';

// --network on create, --network-add/--network-rm on update: what the spec
// asks for, and the one-line refusals.

const ctx = fakeContext();
const create = (network: string[]) => buildServiceSpec({ name: 'web', network }, 'nginx:1.25', [], ctx);

describe('service create --network', () => {
  test('short and long forms, in the order given; aliases kept once each', () => {
    const spec = create(['back', 'name=front,alias=www,alias=web-front,alias=www', 'kz8jxeu0k3ab']);
    expect(spec.task.networks).toEqual([
      { target: 'back', aliases: [] },
      { target: 'front', aliases: ['www', 'web-front'] },
      { target: 'kz8jxeu0k3ab', aliases: [] },
    ]);
  });

  test('no --network: the spec has no networks key at all (stored and compared as JSON)', () => {
    expect('networks' in create([]).task).toBe(false);
    expect('networks' in buildServiceSpec({}, 'nginx:1.25', [], ctx).task).toBe(false);
  });

  test.each<[string[], string]>([
    [['back', 'name=back,alias=x'], 'invalid argument "name=back,alias=x" for "--network" flag: network back is given more than once'],
    [['alias=x'], 'invalid argument "alias=x" for "--network" flag: network name/id is not specified (name=NAME)'],
    [['name=front,driver-opt=com.docker.network.endpoint.ifname=eth9'], 'driver-opt is not supported: networks here have no driver options'],
    [['name=front,ip=10.0.0.9'], "ip is not supported: the cluster allocates each task's address"],
    [['name=front,aliases=x'], "invalid field key 'aliases': use name or alias"],
    [['name=front,alias='], 'an alias may not be empty'],
    [['ingress'], 'service cannot be explicitly attached to the ingress network "ingress"'],
    [['name=ingress,alias=x'], 'service cannot be explicitly attached to the ingress network "ingress"'],
    [[''], 'invalid argument "" for "--network" flag: the network name is empty'],
    [['"name=front,alias=x'], 'extraneous or missing " in quoted-field'],
  ])('%o is refused: %s', (values, message) => {
    expect(() => create(values)).toThrow(message);
  });
});

describe('service update --network-add / --network-rm', () => {
  /** A spec as the store hands it out (frozen) with these attachments. */
  const attachedTo = (networks: ServiceSpec['task']['networks']): ServiceSpec => {
    const spec = create([]);
    spec.task.networks = networks;
    return deepFreeze(spec) as ServiceSpec;
  };
  // As the manager stores it: targets are network ids; the service view names them.
  const stored = attachedTo([
    { target: 'aaaa1111bbbb2222cccc3333d', aliases: [] },
    { target: 'ffff9999eeee8888dddd7777c', aliases: ['www'] },
  ]);
  const names = { aaaa1111bbbb2222cccc3333d: 'back', ffff9999eeee8888dddd7777c: 'front' };
  const update = (opts: UpdateOptions) => applyServiceUpdate(stored, opts, ctx, names);

  test('rm by name, by id, or by a prefix of the id', () => {
    expect(update({ networkRm: ['back'] }).task.networks).toEqual([{ target: 'ffff9999eeee8888dddd7777c', aliases: ['www'] }]);
    expect(update({ networkRm: ['ffff9999eeee8888dddd7777c'] }).task.networks?.map((n) => n.target)).toEqual([
      'aaaa1111bbbb2222cccc3333d',
    ]);
    expect(update({ networkRm: ['aaaa11'] }).task.networks?.map((n) => n.target)).toEqual(['ffff9999eeee8888dddd7777c']);
  });

  test('removing every network leaves no networks key', () => {
    expect('networks' in update({ networkRm: ['back', 'front'] }).task).toBe(false);
  });

  test('add appends after the kept ones; rm then add the same network changes its aliases', () => {
    expect(update({ networkAdd: ['name=db,alias=pg'] }).task.networks).toEqual([
      { target: 'aaaa1111bbbb2222cccc3333d', aliases: [] },
      { target: 'ffff9999eeee8888dddd7777c', aliases: ['www'] },
      { target: 'db', aliases: ['pg'] },
    ]);
    expect(update({ networkRm: ['front'], networkAdd: ['name=front,alias=web'] }).task.networks).toEqual([
      { target: 'aaaa1111bbbb2222cccc3333d', aliases: [] },
      { target: 'front', aliases: ['web'] },
    ]);
  });

  test('the stored spec is left as it was', () => {
    update({ networkRm: ['back'], networkAdd: ['db'] });
    expect(stored.task.networks).toHaveLength(2);
  });

  test('a service without networks gets its first one', () => {
    const bare = deepFreeze(create([])) as ServiceSpec;
    expect(applyServiceUpdate(bare, { networkAdd: ['back'] }, ctx).task.networks).toEqual([{ target: 'back', aliases: [] }]);
  });

  test.each<[UpdateOptions, string]>([
    [{ networkAdd: ['front'] }, 'invalid argument "front" for "--network-add" flag: service is already attached to network front'],
    [{ networkAdd: ['ffff9999eeee8888dddd7777c'] }, 'service is already attached to network ffff9999eeee8888dddd7777c'],
    [{ networkAdd: ['db', 'db'] }, 'service is already attached to network db'],
    [{ networkRm: ['cache'] }, 'invalid argument "cache" for "--network-rm" flag: the service is not attached to network cache'],
    [{ networkRm: ['back', 'back'] }, 'the service is not attached to network back'],
    [{ networkAdd: ['ingress'] }, 'service cannot be explicitly attached to the ingress network'],
  ])('%o is refused', (opts, message) => {
    expect(() => update(opts)).toThrow(message);
  });

  test('an id prefix that fits two attached networks is refused as ambiguous', () => {
    const two = attachedTo([{ target: 'ab1', aliases: [] }, { target: 'ab2', aliases: [] }]);
    expect(() => applyServiceUpdate(two, { networkRm: ['ab'] }, ctx)).toThrow('ab matches more than one attached network; use the full id or name');
  });

  test('a name that is also an id prefix means the name', () => {
    const odd = attachedTo([{ target: 'web1', aliases: [] }, { target: 'zzz9', aliases: [] }]);
    const out = applyServiceUpdate(odd, { networkRm: ['web'] }, ctx, { zzz9: 'web' });
    expect(out.task.networks).toEqual([{ target: 'web1', aliases: [] }]);
  });
});
