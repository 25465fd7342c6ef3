// Configs created with `--template-driver golang` (docker's): the content is a
// Go template the node renders for each task. What this cluster renders is
// the placeholder set of service templates (lib/worker/task-templates.ts):
// {{.Service.ID|Name}}, {{.Node.ID|Hostname}}, {{.Task.ID|Name|Slot}}. A
// template using anything else (env, secret, pipelines, conditionals) is
// refused when the config is created, naming the line, rather than stored
// and delivered half-rendered.

const ACTION = /\{\{(.*?)\}\}/gs;
const KNOWN = /^\s*\.(?:Service\.(?:ID|Name)|Node\.(?:ID|Hostname)|Task\.(?:ID|Name|Slot))\s*$/;

export const TEMPLATE_DRIVERS = ['golang'] as const;

/** Why the text cannot be rendered here, or undefined when every action in it is a known placeholder. */
export function configTemplateProblem(text: string): string | undefined {
  for (const m of text.matchAll(ACTION)) {
    if (KNOWN.test(m[1])) continue;
    const line = text.slice(0, m.index).split('\n').length;
    return `line ${line}: {{${m[1]}}} cannot be rendered: a template may use only {{.Service.ID}}, {{.Service.Name}}, {{.Node.ID}}, {{.Node.Hostname}}, {{.Task.ID}}, {{.Task.Name}} and {{.Task.Slot}}`;
  }
  if (text.replace(ACTION, '').includes('{{')) return 'a "{{" is never closed by "}}"';
  return undefined;
}
