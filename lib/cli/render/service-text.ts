// Small pieces of docker's formatting shared by the service and task
// listings: `--format json` lines as Go writes them, image names as docker
// shows them, and the ellipsis for long errors.

import { goEscape } from './go-json';


/**
 * One object as docker's `{{json .}}` prints a listing row: compact, keys in
 * the order given (callers pass them sorted, as Go marshals a map), and
 * HTML-escaped like Go's json.Marshal, which is why a port prints as
 * "*:8080-\u003e80/tcp" in docker's JSON.
 */
export function goJsonLine(value: object): string {
  return goEscape(JSON.stringify(value));
}

/**
 * The image as `service ls` and `service ps` show it: a tagged reference
 * loses its digest and docker.io's default prefixes ("nginx:1.25" for
 * "docker.io/library/nginx:1.25@sha256:..."); anything else is shown as stored.
 */
export function displayImage(image: string): string {
  const at = image.indexOf('@');
  const name = at < 0 ? image : image.slice(0, at);
  const colon = name.lastIndexOf(':');
  if (colon < 0 || colon < name.lastIndexOf('/')) return image;
  const tag = name.slice(colon + 1);
  let repo = name.slice(0, colon);
  // Not a reference docker can parse (upper-case repository, bad tag): shown as stored.
  if (!/^\w[\w.-]{0,127}$/.test(tag) || repo === '' || /[A-Z]/.test(repo)) return image;
  if (repo.startsWith('docker.io/library/')) repo = repo.slice('docker.io/library/'.length);
  else if (repo.startsWith('docker.io/')) repo = repo.slice('docker.io/'.length);
  return `${repo}:${tag}`;
}

// East Asian wide and fullwidth characters take two columns, as in docker's Ellipsis.
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{20000}-\u{3FFFD}]/u;

/** docker's formatter.Ellipsis: at most `max` display columns, cut ones ending in "…". */
export function ellipsis(text: string, max: number): string {
  const chars = Array.from(text);
  const widths = chars.map((c) => (WIDE.test(c) ? 2 : 1));
  const total = widths.reduce((a, b) => a + b, 0);
  if (total <= max) return text;
  let used = 0;
  let keep = 0;
  while (keep < chars.length && used + widths[keep] <= max - 1) used += widths[keep++];
  return `${chars.slice(0, keep).join('')}…`;
}
