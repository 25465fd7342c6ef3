import { parseConfigFlag, parseSecretFlag, updateSecretRefs } from '../../../lib/cli/service-flags/secrets';

const file = (name: string, mode = 0o444, uid = '0', gid = '0') => ({ name, uid, gid, mode });

describe('--secret and --config', () => {
  test.each([
    ['db_pw', { secretId: '', secretName: 'db_pw', file: file('db_pw') }],
    ['source=db_pw,target=password,uid=70,gid=70,mode=0400', { secretId: '', secretName: 'db_pw', file: file('password', 0o400, '70', '70') }],
    ['src=db_pw,target=/etc/pw', { secretId: '', secretName: 'db_pw', file: file('/etc/pw') }],
    // Go's base-0 numbers: 256 is decimal, 0o440 and 0x124 work too.
    ['source=a,mode=256', { secretId: '', secretName: 'a', file: file('a', 0o400) }],
    ['source=a,mode=0o440', { secretId: '', secretName: 'a', file: file('a', 0o440) }],
    ['Source=a,TARGET=b', { secretId: '', secretName: 'a', file: file('b') }],
  ])('secret %s', (text, ref) => {
    expect(parseSecretFlag('secret', text)).toEqual(ref);
  });

  test("a config's target defaults to /NAME, and a relative one is made absolute", () => {
    expect(parseConfigFlag('config', 'nginx_conf')).toEqual({ configId: '', configName: 'nginx_conf', file: file('/nginx_conf') });
    expect(parseConfigFlag('config', 'source=c,target=etc/app.conf,mode=0440')).toEqual({ configId: '', configName: 'c', file: file('/etc/app.conf', 0o440) });
  });

  test.each([
    ['', 'value is empty'],
    ['target=x', 'source is required'],
    ['source=a,colour=red', 'invalid field in secret request: colour'],
    ['source=a,mode=rw', 'invalid mode specified: "rw" is not a number (e.g. 0400)'],
    ['source=a,mode=01777', 'invalid mode specified: 01777 sets more than the permission bits (at most 0777)'],
    ['source=a,uid=root', 'uid must be a numeric id (got "root")'],
    ['source=a,target=../../etc/passwd', 'target ../../etc/passwd may not contain ".."'],
    ['source=a,=b', "invalid field '=b' must be a key=value pair"],
  ])('%s is refused: %s', (text, reason) => {
    expect(() => parseSecretFlag('secret', text)).toThrow(`invalid argument "${text}" for "--secret" flag: ${reason}`);
  });

  test('--secret-rm goes by name or id, then --secret-add appends; an unknown rm is an error', () => {
    const current = [
      { secretId: 'id1', secretName: 'a', file: file('a') },
      { secretId: 'id2', secretName: 'b', file: file('b') },
    ];
    expect(updateSecretRefs(current, ['a'], ['c']).map((r) => r.secretName)).toEqual(['b', 'c']);
    expect(updateSecretRefs(current, ['id2']).map((r) => r.secretName)).toEqual(['a']);
    expect(() => updateSecretRefs(current, ['zzz'])).toThrow('invalid argument "zzz" for "--secret-rm" flag: the service does not use secret zzz');
  });
});
