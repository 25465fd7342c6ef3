import { configTemplateProblem } from '../../../lib/api/config-template';

describe('config templates a node can render', () => {
  test.each([['plain text, no actions'], ['host: {{.Node.Hostname}}\nid: {{ .Task.ID }}\n'], ['{{.Service.Name}}-{{.Task.Slot}}'], ['a } and { alone are text']])('%s is accepted', (text) => {
    expect(configTemplateProblem(text)).toBeUndefined();
  });

  test.each([
    ['a\n{{ env "HOME" }}', /^line 2: \{\{ env "HOME" \}\} cannot be rendered/],
    ['{{ .Service.Labels }}', /^line 1: \{\{ \.Service\.Labels \}\} cannot be rendered/],
    ['{{ if .Task.Slot }}x{{ end }}', /^line 1: \{\{ if \.Task\.Slot \}\} cannot be rendered/],
    ['ok {{.Node.ID}} then {{ .Node.ID', /^a "\{\{" is never closed by "\}\}"$/],
  ])('%s is refused', (text, why) => {
    expect(configTemplateProblem(text)).toMatch(why);
  });
});
