// One error shape for every bad flag value, worded as docker's flag parser
// words it (`invalid argument "x" for "--replicas" flag: ...`), so a user who
// knows docker's messages recognises ours and every message names both the
// flag and the value that was refused.

export function flagError(flag: string, value: string, reason: string): Error {
  return new Error(`invalid argument "${value}" for "--${flag}" flag: ${reason}`);
}
