// An image reference as docker's stack loader checks it
// (distribution/reference ParseAnyReference): [DOMAIN[:PORT]/]PATH[:TAG][@DIGEST],
// path components lower case, or a bare 64-hex image id.

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);

/** undefined when valid, else docker's reason. */
export function imageReferenceProblem(image: string): string | undefined {
  if (/^[a-f0-9]{64}$/.test(image)) return undefined;
  const m = REFERENCE.exec(image);
  if (m) return m[1].length > 255 ? 'repository name must not be more than 255 characters' : undefined;
  // Upper case in the path is the usual mistake; docker names it.
  if (/[A-Z]/.test(image) && REFERENCE.test(image.toLowerCase())) return 'repository name must be lowercase';
  return 'invalid reference format';
}
