// A name for a service created without --name, in docker's adjective_surname style.

import { randomInt } from 'crypto';

const ADJECTIVES = [
  'brave', 'calm', 'eager', 'fervent', 'gallant', 'happy', 'jolly', 'keen', 'lucid', 'modest',
  'nifty', 'optimistic', 'pensive', 'quirky', 'relaxed', 'serene', 'tender', 'upbeat', 'vigilant', 'witty',
];
const NAMES = [
  'babbage', 'curie', 'dijkstra', 'euler', 'feynman', 'goldberg', 'hopper', 'knuth', 'lamport', 'liskov',
  'lovelace', 'mccarthy', 'noether', 'ritchie', 'shannon', 'thompson', 'torvalds', 'turing', 'wozniak', 'yonath',
];

export function randomServiceName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NAMES[randomInt(NAMES.length)]}`;
}
