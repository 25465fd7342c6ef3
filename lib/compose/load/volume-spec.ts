import type { ServiceVolumeConfig } from '../types';

// The short volume syntax, `[SOURCE:]TARGET[:OPTIONS]`, parsed as docker's
// volumespec.Parse: a source starting with '.', '/' or '~' is a bind mount,
// any other source a named volume, no source an anonymous volume; options
// ro, rw, nocopy and the bind propagations; unknown options are ignored.

const PROPAGATIONS = ['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave'];

export function emptyVolume(): ServiceVolumeConfig {
  return { type: '', source: '', target: '', read_only: false, consistency: '' };
}

function isWindowsDrive(buffer: string, c: string): boolean {
  return c === ':' && buffer.length === 1 && /\p{L}/u.test(buffer);
}

function isFilePath(source: string): boolean {
  if (['.', '/', '~'].includes(source[0])) return true;
  const chars = [...source];
  if (chars.length === 1) return false;
  if (source.startsWith('\\\\')) return true;
  return isWindowsDrive(chars[0], chars[1]);
}

/** A short-syntax volume; a string is docker's error message. */
export function parseVolumeSpec(spec: string): ServiceVolumeConfig | string {
  const v = emptyVolume();
  const chars = [...spec];
  if (chars.length === 0) return 'invalid empty volume spec';
  if (spec.length <= 2) {
    v.target = spec;
    v.type = 'volume';
    return v;
  }
  let buffer = '';
  const END = '';
  for (const c of [...chars, END]) {
    if (c !== END && isWindowsDrive(buffer, c)) {
      buffer += c;
    } else if (c === ':' || c === END) {
      const problem = populate(c, buffer, v);
      if (problem) return `invalid spec: ${spec}: ${problem}`;
      buffer = '';
    } else {
      buffer += c;
    }
  }
  v.type = v.source === '' ? 'volume' : isFilePath(v.source) ? 'bind' : 'volume';
  return v;
}

function populate(c: string, buffer: string, v: ServiceVolumeConfig): string | undefined {
  if (buffer.length === 0) return 'empty section between colons';
  if (v.source === '' && c === '') {
    v.target = buffer;
    return undefined;
  }
  if (v.source === '') {
    v.source = buffer;
    return undefined;
  }
  if (v.target === '') {
    v.target = buffer;
    return undefined;
  }
  if (c === ':') return 'too many colons';
  for (const option of buffer.split(',')) {
    if (option === 'ro') v.read_only = true;
    else if (option === 'rw') v.read_only = false;
    else if (option === 'nocopy') v.volume = { nocopy: true, subpath: '' };
    else if (PROPAGATIONS.includes(option)) v.bind = { propagation: option };
  }
  return undefined;
}
