// Deploys a stack from pasted compose YAML through the CLI's own loader: the
// same checks and the same positioned errors (line:column), each of which moves
// the cursor to its line when clicked.

import { api, ApiError } from './api.js';
import { h, replace } from './dom.js';
import type { View } from './view.js';

interface Issue {
  line: number;
  column: number;
  text: string;
}

interface DeployResult {
  ok: true;
  result: { created: string[]; updated: string[]; unchanged: string[]; removed: string[]; networksCreated: string[] };
  warnings: string[];
}

export class DeployView implements View {
  readonly el = h('section', { 'aria-labelledby': 'deploy-h' });
  private readonly name = h('input', { id: 'stack-name', type: 'text', required: true, autocomplete: 'off', spellcheck: 'false' });
  private readonly yaml = h('textarea', { id: 'stack-yaml', rows: 18, cols: 80, required: true, spellcheck: 'false' });
  private readonly prune = h('input', { id: 'stack-prune', type: 'checkbox' });
  private readonly out = h('div', { id: 'deploy-result', role: 'status', 'aria-live': 'polite' });

  constructor() {
    replace(
      this.el,
      h('h2', { id: 'deploy-h' }, 'Deploy a stack'),
      h(
        'form',
        { onsubmit: (e: Event) => this.submit(e) },
        h('p', {}, h('label', { for: 'stack-name' }, 'Stack name '), this.name),
        h('p', {}, h('label', { for: 'stack-yaml' }, 'Compose file (YAML)'), h('br'), this.yaml),
        h('p', {}, this.prune, h('label', { for: 'stack-prune' }, ' remove services no longer in the file (--prune)')),
        h('button', { type: 'submit' }, 'Deploy'),
      ),
      this.out,
    );
  }

  concerns(): boolean {
    return false;
  }

  async refresh(): Promise<void> {}

  private submit(e: Event): void {
    e.preventDefault();
    replace(this.out, h('p', {}, 'Deploying…'));
    api<DeployResult>('POST', `/stacks/${encodeURIComponent(this.name.value.trim())}/deploy`, { compose: this.yaml.value, prune: this.prune.checked }).then(
      (r) => {
        const lines = [
          ...r.result.removed.map((s) => `Removing service ${s}`),
          ...r.result.networksCreated.map((n) => `Creating network ${n}`),
          ...r.result.created.map((s) => `Creating service ${s}`),
          ...r.result.updated.map((s) => `Updating service ${s}`),
          ...r.result.unchanged.map((s) => `Service ${s} is up to date`),
        ];
        replace(
          this.out,
          h('h3', {}, 'Deployed'),
          h('ul', { class: 'ok' }, ...lines.map((l) => h('li', {}, l))),
          r.warnings.length > 0 ? h('ul', { class: 'warn' }, ...r.warnings.map((w) => h('li', {}, w))) : null,
        );
      },
      (err: unknown) => {
        const issues = err instanceof ApiError ? (err.body as { issues?: Issue[] } | null)?.issues : undefined;
        if (!issues || issues.length === 0) {
          replace(this.out, h('p', { class: 'error' }, (err as Error).message));
          return;
        }
        replace(
          this.out,
          h('h3', {}, 'The compose file has problems'),
          h(
            'ul',
            { class: 'error issues' },
            ...issues.map((i) => h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => this.goTo(i.line, i.column) }, i.text))),
          ),
        );
      },
    );
  }

  /** Puts the cursor at line:column of the pasted text. */
  private goTo(line: number, column: number): void {
    const lines = this.yaml.value.split('\n');
    let offset = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    offset += Math.max(0, column - 1);
    this.yaml.focus();
    this.yaml.setSelectionRange(offset, offset);
  }
}
