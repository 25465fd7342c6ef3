import { posix } from 'path';
import { parseDotEnv } from '../env-file';
import { type ComposeIssue, ComposeError, type PathSegment, formatPath, sortIssues } from '../errors';
import { interpolateDocument } from '../interpolation/interpolate';
import { dictFrom, hasKey, isDict, scalarText } from '../plain';
import { DEFAULT_VERSION, isSupportedVersion, normalizeVersion, validateAgainstSchema } from '../schema/validate';
import type { FileObjectConfig, LoadStackInput, LoadedStack, NetworkConfig, ServiceConfig, StackLocator, VolumeConfig } from '../types';
import { type ParsedFile, parseYamlFile } from '../yaml/parse';
import { checkService } from './checks';
import { FileContext, type Reference } from './context';
import { imageReferenceProblem } from './image-reference';
import { mergeService } from './merge';
import { normalizeFileObjects, normalizeNetworks, normalizeVolumes } from './normalize-top';
import { normalizeService } from './normalize-service';
import { checkForbidden, ignoredOptionWarnings } from './properties';
import { dict, extrasOf } from './values';

// loadStack: compose files (text) to the stack model, as `docker stack
// deploy` loads them, each file on its own first (parse, forbidden keys,
// interpolation, schema, typing, checks), then merged in order, then checked
// as a whole (references to undefined networks, volumes, secrets, configs;
// images). Every problem found is collected; if there is any, a
// ComposeError lists them all, each with its file, path, line and column.

interface FileConfig {
  parsed: ParsedFile;
  raw: Record<string, unknown>;
  services: ServiceConfig[];
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  secrets: Record<string, FileObjectConfig>;
  configs: Record<string, FileObjectConfig>;
  extras: Record<string, unknown>;
  references: Reference[];
}

function fileIssue(file: string, message: string, line = 1, column = 1): ComposeIssue {
  return { file, path: '', line, column, message };
}

function makeLookup(input: LoadStackInput): (name: string) => string | undefined {
  const fromFile = new Map<string, string>();
  if (input.envFile) {
    const parsed = parseDotEnv(input.envFile.path, input.envFile.content);
    // Without its variables every later message would be misleading: stop here.
    if (!parsed.ok) throw new ComposeError([parsed.issue]);
    for (const e of parsed.entries) fromFile.set(e.key, e.value ?? '');
  }
  return (name) => {
    const v = Object.prototype.hasOwnProperty.call(input.env, name) ? input.env[name] : undefined;
    return v !== undefined ? v : fromFile.get(name);
  };
}

function loadFile(ctx: FileContext, doc: Record<string, unknown>): FileConfig | undefined {
  const before = ctx.issues.length;
  checkForbidden(ctx, doc);
  const interpolated = interpolateDocument(doc, ctx.lookup);
  for (const p of interpolated.problems) ctx.issue(p.path, p.message);
  for (const name of [...interpolated.unset].sort()) ctx.warnings.push(`The "${name}" variable is not set. Defaulting to a blank string.`);
  if (ctx.issues.length > before) return undefined;
  const value = dict(interpolated.value);
  for (const p of validateAgainstSchema(value, ctx.version)) ctx.issue(p.path, p.message, { atKey: p.atKey, locate: p.locate });
  if (ctx.issues.length > before) return undefined;
  const services = Object.entries(dict(value.services)).map(([name, raw]) => {
    const s = normalizeService(ctx, name, raw);
    checkService(ctx, s, raw);
    return s;
  });
  return {
    parsed: ctx.parsed,
    raw: value,
    services,
    networks: normalizeNetworks(ctx, value.networks),
    volumes: normalizeVolumes(ctx, value.volumes),
    secrets: normalizeFileObjects(ctx, 'secret', value.secrets),
    configs: normalizeFileObjects(ctx, 'config', value.configs),
    extras: extrasOf(value),
    references: ctx.references,
  };
}

function makeLocator(files: ParsedFile[]): StackLocator {
  const find = (path: readonly PathSegment[], key: boolean) => {
    for (let n = path.length; n >= 0; n--) {
      const prefix = path.slice(0, n);
      for (let i = files.length - 1; i >= 0; i--) {
        if (!files[i].positions.has(prefix)) continue;
        // The value itself, or, for a missing key, the key of what should hold it.
        const positions = files[i].positions;
        const pos = n === path.length && !key ? positions.position(prefix) : positions.keyPosition(prefix);
        return { file: files[i].path, ...pos };
      }
    }
    return { file: files[0]?.path ?? '', line: 1, column: 1 };
  };
  return { locate: (path) => find(path, false), locateKey: (path) => find(path, true) };
}

/** Checks that need every file: what services refer to exists, and each has a usable image. */
function checkWhole(stack: Omit<LoadedStack, 'warnings' | 'locator'>, files: FileConfig[], issues: ComposeIssue[]): void {
  const defined: Record<Reference['kind'], Record<string, unknown>> = {
    network: stack.networks,
    volume: stack.volumes,
    secret: stack.secrets,
    config: stack.configs,
  };
  const reported = new Set<string>();
  for (const f of files) {
    for (const r of f.references) {
      if (hasKey(defined[r.kind], r.name) || (r.kind === 'network' && r.name === 'default')) continue;
      const key = `${r.kind}/${r.name}/${r.service}`;
      if (reported.has(key)) continue;
      reported.add(key);
      issues.push({ file: r.file, path: formatPath(r.path), line: r.line, column: r.column, message: `undefined ${r.kind} "${r.name}"` });
    }
  }
  const parsed = files.map((f) => f.parsed);
  const locator = makeLocator(parsed);
  for (const s of stack.services) {
    const problem = s.image === '' ? 'no image specified' : imageReferenceProblem(s.image);
    if (problem === undefined) continue;
    const path = ['services', s.name, 'image'];
    const at = locator.locate(path);
    issues.push({ file: at.file, path: formatPath(path), line: at.line, column: at.column, message: `invalid image reference for service ${s.name}: ${problem}` });
  }
}

export function loadStack(input: LoadStackInput): LoadedStack {
  if (input.files.length === 0) throw new ComposeError([fileIssue('', 'no compose file given')]);
  const issues: ComposeIssue[] = [];
  const workingDir = input.workingDir ?? posix.dirname(input.files[0].path);
  const lookup = makeLookup(input);
  const loaded: FileConfig[] = [];
  const warnings: string[] = [];
  const rawDocs: unknown[] = [];
  let stackVersion: string | undefined;

  for (const file of input.files) {
    const parsed = parseYamlFile(file.path, file.content);
    if (!parsed.ok) {
      issues.push(parsed.issue);
      continue;
    }
    const doc = parsed.file.value;
    if (!isDict(doc)) {
      issues.push(fileIssue(file.path, 'top-level object must be a mapping'));
      continue;
    }
    rawDocs.push(doc);
    const version = hasKey(doc, 'version') ? normalizeVersion(scalarText(doc.version)) : DEFAULT_VERSION;
    const at = (p: PathSegment[]) => parsed.file.positions.position(p);
    if (stackVersion === undefined) stackVersion = version;
    else if (version !== stackVersion) {
      issues.push({ file: file.path, path: 'version', ...at(['version']), message: `version mismatched between two composefiles : ${stackVersion} and ${version}` });
      continue;
    }
    if (!isSupportedVersion(version)) {
      issues.push({ file: file.path, path: 'version', ...at(['version']), message: `unsupported Compose file version: ${version}` });
      continue;
    }
    const ctx = new FileContext(parsed.file, version, workingDir, lookup, issues, input.readEnvFile);
    const config = loadFile(ctx, doc);
    warnings.push(...ctx.warnings);
    if (config) loaded.push(config);
  }
  if (issues.length > 0) throw new ComposeError(sortIssues(issues, input.files.map((f) => f.path)));

  const services = new Map<string, ServiceConfig>();
  const top = { networks: {}, volumes: {}, secrets: {}, configs: {}, extras: {} } as Pick<LoadedStack, 'networks' | 'volumes' | 'secrets' | 'configs' | 'extras'>;
  for (const f of loaded) {
    for (const s of f.services) {
      const earlier = services.get(s.name);
      services.set(s.name, earlier ? mergeService(earlier, s) : s);
    }
    top.networks = dictFrom([...Object.entries(top.networks), ...Object.entries(f.networks)]) as LoadedStack['networks'];
    top.volumes = dictFrom([...Object.entries(top.volumes), ...Object.entries(f.volumes)]) as LoadedStack['volumes'];
    top.secrets = dictFrom([...Object.entries(top.secrets), ...Object.entries(f.secrets)]) as LoadedStack['secrets'];
    top.configs = dictFrom([...Object.entries(top.configs), ...Object.entries(f.configs)]) as LoadedStack['configs'];
    // docker keeps the first file's top-level x-* keys only.
    if (f === loaded[0]) top.extras = f.extras;
  }
  const stack = {
    version: stackVersion ?? DEFAULT_VERSION,
    workingDir,
    files: input.files.map((f) => f.path),
    services: [...services.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    ...top,
  };
  checkWhole(stack, loaded, issues);
  if (issues.length > 0) throw new ComposeError(sortIssues(issues, input.files.map((f) => f.path)));
  return {
    ...stack,
    warnings: [...ignoredOptionWarnings(rawDocs), ...new Set(warnings)],
    locator: makeLocator(loaded.map((f) => f.parsed)),
  };
}
