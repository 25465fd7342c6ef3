// `secret ls|inspect` and `config ls|inspect` output in docker's shapes. A
// secret as the API gives it has no data at all; a config's data is shown
// base64 in JSON and as text with --pretty, as docker shows it.

import { goTimeString } from './docker-text';
import { goIndentedJson, sortedMap } from './go-json';
import { parseFilterArgs } from './filter-args';
import { labelsMatch } from './node-filter';
import { renderDockerTable } from './tabwriter';
import { humanDuration } from './units';

export type BlobKind = 'secret' | 'config';

/** A secret or config as the control API answers (a secret without spec.data). */
export interface StoredBlob {
  id: string;
  meta: { version: number; createdAt: string; updatedAt: string };
  spec: { name: string; labels: Record<string, string>; data?: string; templating?: { name: string } };
}

type FilterKey = 'id' | 'name' | 'label';

/**
 * `--filter` as docker's daemon reads it for these listings: id= and name=
 * are prefixes, label= is `k` or `k=v`; several values of one key: any may
 * match (labels: all must).
 */
export function filterBlobs(blobs: readonly StoredBlob[], args: readonly string[]): StoredBlob[] {
  const f = parseFilterArgs<FilterKey>(args, ['id', 'name', 'label'], (key) =>
    key === 'driver' ? "the 'driver' filter is not supported: secrets here have no driver" : undefined,
  );
  const any = (values: string[] | undefined, test: (v: string) => boolean) => values === undefined || values.some(test);
  return blobs.filter((b) => any(f.id, (v) => b.id.startsWith(v)) && any(f.name, (v) => b.spec.name.startsWith(v)) && labelsMatch(b.spec.labels, f.label));
}

const ago = (iso: string, now: number) => `${humanDuration(Math.max(0, now - Date.parse(iso)))} ago`;
const byName = (a: StoredBlob, b: StoredBlob) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0);
const labelText = (labels: Record<string, string>) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');

export function renderBlobList(kind: BlobKind, blobs: readonly StoredBlob[], o: { quiet?: boolean; format?: 'table' | 'json'; now: number }): string {
  const sorted = [...blobs].sort(byName);
  if (o.quiet) return sorted.map((b) => `${b.id}\n`).join('');
  if (o.format === 'json') {
    // docker's `--format json`: one object per line, its fields sorted by name.
    return sorted
      .map((b) => {
        const row: Record<string, string> = { CreatedAt: ago(b.meta.createdAt, o.now) };
        if (kind === 'secret') row.Driver = '';
        Object.assign(row, { ID: b.id, Labels: labelText(b.spec.labels), Name: b.spec.name, UpdatedAt: ago(b.meta.updatedAt, o.now) });
        return `${JSON.stringify(row)}\n`;
      })
      .join('');
  }
  // docker's secret table has a DRIVER column (empty: no secret drivers here); its config table does not.
  const headers = kind === 'secret' ? ['ID', 'NAME', 'DRIVER', 'CREATED', 'UPDATED'] : ['ID', 'NAME', 'CREATED', 'UPDATED'];
  const rows = sorted.map((b) =>
    kind === 'secret'
      ? [b.id, b.spec.name, '', ago(b.meta.createdAt, o.now), ago(b.meta.updatedAt, o.now)]
      : [b.id, b.spec.name, ago(b.meta.createdAt, o.now), ago(b.meta.updatedAt, o.now)],
  );
  return renderDockerTable(headers, rows);
}

/** docker's swarm.Secret / swarm.Config as JSON. */
export function blobJson(kind: BlobKind, b: StoredBlob): Record<string, unknown> {
  const spec: Record<string, unknown> = { Name: b.spec.name, Labels: sortedMap(b.spec.labels) };
  if (kind === 'config' && b.spec.data !== undefined) spec.Data = b.spec.data;
  if (kind === 'config' && b.spec.templating) spec.Templating = { Name: b.spec.templating.name };
  return { ID: b.id, Version: { Index: b.meta.version }, CreatedAt: b.meta.createdAt, UpdatedAt: b.meta.updatedAt, Spec: spec };
}

export function renderBlobInspect(kind: BlobKind, blobs: readonly StoredBlob[]): string {
  return blobs.length === 0 ? '[]\n' : `${goIndentedJson(blobs.map((b) => blobJson(kind, b)))}\n`;
}

/** docker's --pretty templates. */
export function renderBlobPretty(kind: BlobKind, blobs: readonly StoredBlob[]): string {
  return blobs
    .map((b) => {
      const lines = [`ID:              ${b.id}`, `Name:              ${b.spec.name}`];
      const keys = Object.keys(b.spec.labels).sort();
      if (keys.length > 0) lines.push('Labels:', ...keys.map((k) => ` - ${k}${b.spec.labels[k] ? `=${b.spec.labels[k]}` : ''}`));
      if (kind === 'secret') lines.push('Driver:            ');
      lines.push(`Created at:        ${goTimeString(b.meta.createdAt)}`, `Updated at:        ${goTimeString(b.meta.updatedAt)}`);
      if (kind === 'config') lines.push('Data:', Buffer.from(b.spec.data ?? '', 'base64').toString('utf8'));
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}
