// Secrets and configs: small blobs a service's containers read as files, in
// docker's shape. Their data lives in the replicated store (encrypted at rest
// with the rest of the Raft log) and reaches a node only while it runs a task
// that names them.

import type { Meta } from './types';

/** Docker's limit for both secrets and configs. */
export const MAX_SECRET_BYTES = 500 * 1024;

/** Names as docker accepts them: a letter or digit first, then letters, digits, `-`, `_`, `.`; at most 64. */
export const SECRET_NAME_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]{0,63})$/;

export interface SecretSpec {
  name: string;
  labels: Record<string, string>;
  /** The content, base64. Never changes after creation (labels may). */
  data: string;
}

export interface Secret {
  id: string;
  meta: Meta;
  spec: SecretSpec;
}

export interface ConfigSpec {
  name: string;
  labels: Record<string, string>;
  /** The content, base64. Never changes after creation (labels may). */
  data: string;
  /** `golang`: the content is a template rendered per task on the node. */
  templating?: { name: 'golang' };
}

export interface Config {
  id: string;
  meta: Meta;
  spec: ConfigSpec;
}

/** Where the file appears in the container, and as whom. */
export interface FileTarget {
  /**
   * Secrets: a file name under /run/secrets (or an absolute path); configs: an
   * absolute path (docker's default: /NAME).
   */
  name: string;
  /** Numeric ids as strings, docker's shape; default "0". */
  uid: string;
  gid: string;
  /** File mode bits, default 0o444. */
  mode: number;
}

export interface SecretReference {
  secretId: string;
  /** The name when the service was written, for display; the id is what counts. */
  secretName: string;
  file: FileTarget;
}

export interface ConfigReference {
  configId: string;
  configName: string;
  file: FileTarget;
}
