// --constraint and --placement-pref values. The syntax is the scheduler's
// (lib/scheduler parses what it later evaluates), so the command line refuses
// exactly what the scheduler could not use; this file only puts the flag name
// and value in front of its explanation.

import { parseConstraint, parsePreference } from '../../scheduler';
import { flagError } from './errors';

/** The scheduler's message without its own `invalid ... "value": ` lead-in, which flagError repeats. */
function reason(e: unknown, value: string): string {
  const message = e instanceof Error ? e.message : String(e);
  const lead = `"${value}": `;
  const at = message.indexOf(lead);
  return at >= 0 ? message.slice(at + lead.length) : message;
}

/** Checks one constraint expression and returns it as given (docker stores the text). */
export function checkConstraint(flag: string, expr: string): string {
  try {
    parseConstraint(expr);
  } catch (e) {
    throw flagError(flag, expr, reason(e, expr));
  }
  return expr;
}

/** "spread=node.labels.zone" to the stored { spread: "node.labels.zone" }. */
export function parsePlacementPref(flag: string, value: string): { spread: string } {
  try {
    return parsePreference(value);
  } catch (e) {
    throw flagError(flag, value, reason(e, value));
  }
}
