/** A name for a container run without `--name`, in Docker's style: `<adjective>_<scientist>`. */
const ADJECTIVES = [
  'admiring', 'agitated', 'amazing', 'bold', 'brave', 'busy', 'clever', 'cool', 'dazzling', 'eager', 'elastic', 'epic', 'festive', 'focused',
  'gallant', 'gifted', 'happy', 'hopeful', 'jolly', 'keen', 'kind', 'loving', 'lucid', 'modest', 'nice', 'nostalgic', 'peaceful', 'quirky',
  'relaxed', 'serene', 'sharp', 'stoic', 'sweet', 'tender', 'trusting', 'upbeat', 'vibrant', 'wizardly', 'youthful', 'zealous',
];

const SURNAMES = [
  'agnesi', 'babbage', 'bohr', 'curie', 'darwin', 'dijkstra', 'einstein', 'euler', 'faraday', 'fermat', 'feynman', 'galileo', 'gauss',
  'hopper', 'hypatia', 'johnson', 'kepler', 'knuth', 'lamarr', 'lovelace', 'maxwell', 'meitner', 'newton', 'noether', 'pascal', 'ritchie',
  'shannon', 'thompson', 'torvalds', 'turing', 'wozniak', 'yalow',
];

/** Not for secrets (Docker's own generator uses math/rand too); a taken name is simply tried again. */
export function randomName(): string {
  const pick = (list: readonly string[]): string => list[Math.floor(Math.random() * list.length)] ?? list[0] ?? 'container';
  return `${pick(ADJECTIVES)}_${pick(SURNAMES)}`;
}
