import { ComposeError, type ComposeIssue, type LoadStackInput, type LoadedStack, loadStack } from '../../lib/compose';

// Small helpers for the compose tests: load one or more YAML texts as files
// under /stack, and get the issues of a failing load as plain tuples.

export const DIR = '/stack';

export interface LoadOptions extends Partial<Omit<LoadStackInput, 'files'>> {
  files?: string[];
}

/** Loads YAML texts as /stack/docker-stack.yml, /stack/override-1.yml, … */
export function load(yaml: string | string[], opts: LoadOptions = {}): LoadedStack {
  const texts = Array.isArray(yaml) ? yaml : [yaml];
  const names = opts.files ?? texts.map((_, i) => (i === 0 ? `${DIR}/docker-stack.yml` : `${DIR}/override-${i}.yml`));
  return loadStack({
    env: {},
    ...opts,
    files: texts.map((content, i) => ({ path: names[i], content })),
  });
}

/** The issues a failing call reports; fails the test if it does not throw a ComposeError. */
export function issuesOf(fn: () => unknown): ComposeIssue[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ComposeError) return [...e.issues];
    throw e;
  }
  throw new Error('expected a ComposeError');
}

/** Issues as "line:column path: message" strings, the easiest form to compare. */
export function issueLines(fn: () => unknown): string[] {
  return issuesOf(fn).map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
}

/** YAML from lines, so tests can count lines and columns. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}
