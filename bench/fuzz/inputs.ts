// Input i of a campaign, from the seed alone: the corpus entries first as they are, then
// mutations. The worker and the supervisor (which regenerates a hang's input) share this.
import { generate, type MutationSource } from './mutate.js';
import { inputRng } from './rng.js';
import type { FuzzTarget } from './target.js';

export function sourceOf(target: FuzzTarget): MutationSource {
  return { corpus: target.corpus(), dictionary: target.dictionary, maxLength: target.maxLength };
}

export function inputOf(target: FuzzTarget, src: MutationSource, seed: number, index: number): Uint8Array {
  if (index < src.corpus.length) return src.corpus[index]!;
  const rng = inputRng(seed, target.name, index);
  const b = generate(rng, src);
  return target.fixup ? target.fixup(b, rng) : b;
}
