// Random builder names in Docker's `adjective_surname` style. The word lists are our own; only the
// shape matters (users see it, scripts only ever parse it back from `create`'s output).
import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'agile', 'bold', 'brave', 'bright', 'calm', 'clever', 'cool', 'eager', 'elated', 'fervent', 'gentle',
  'happy', 'jolly', 'keen', 'kind', 'lucid', 'merry', 'modest', 'nifty', 'quirky', 'serene', 'sharp',
  'stoic', 'sweet', 'tender', 'upbeat', 'vibrant', 'wise', 'witty', 'zealous',
];

const SURNAMES = [
  'babbage', 'bohr', 'curie', 'darwin', 'dijkstra', 'einstein', 'euler', 'faraday', 'fermat', 'gauss',
  'hopper', 'hypatia', 'kepler', 'knuth', 'lamarr', 'lovelace', 'maxwell', 'meitner', 'newton', 'noether',
  'pascal', 'planck', 'ritchie', 'shannon', 'tesla', 'thompson', 'turing', 'volta', 'wozniak', 'yalow',
];

/** `retry > 0` appends a digit, as docker's generator does, to make collisions less likely. */
export function randomName(retry = 0): string {
  const name = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${SURNAMES[randomInt(SURNAMES.length)]}`;
  return retry > 0 ? `${name}${randomInt(10)}` : name;
}
