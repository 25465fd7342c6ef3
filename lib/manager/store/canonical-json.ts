// The store's canonical form is the one the CLI and the pure task rules in
// lib/api compare specs with, so it lives in lib/util.
export { canonicalJson } from '../../util/canonical-json';
