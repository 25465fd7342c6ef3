// What `stack deploy` sends for the stack's secrets and configs, and what the
// manager answers about them (routes in network-api.ts). The CLI reads each
// `file:` and sends its content; the manager creates what is missing, checks
// an existing one holds the same content, and finds external ones.

export interface StackBlobRequest {
  /** Its name in the cluster (`STACK_KEY`, or the file's `name:`). */
  name: string;
  /** external: true: it must exist already; the stack neither creates nor removes it. */
  external: boolean;
  /** The content, base64 (not for external ones). */
  data?: string;
  /** Labels, with the stack's namespace (not for external ones). */
  labels?: Record<string, string>;
  /** `template_driver:` as written; refused (docs/secrets.md). */
  templateDriver?: string;
}
