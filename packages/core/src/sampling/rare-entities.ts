/**
 * Which entities count as rare: those whose document frequency falls below a fraction of the documents
 * (the seed calls 1-2% frequency rare), plus any named explicitly. The evaluation's rare-entity average and
 * the domain-balanced sampler both read this one definition.
 */
import { HybridocError } from '../util/errors.js';

/** The rare entities the seed names in its evaluation snippet. */
export const SEED_RARE_ENTITIES: readonly string[] = ['CAGE_CODE', 'LOT_NUMBER', 'SERIAL_NUMBER'];

/** Default threshold: an entity in fewer than 2% of documents is rare. */
export const DEFAULT_RARE_BELOW = 0.02;

export interface RareEntityOptions {
  /** entity name -> number of documents that contain it (the manifest's frequency table) */
  documentFrequency?: Readonly<Record<string, number>>;
  /** the number of documents `documentFrequency` was counted over; required with it */
  totalDocuments?: number;
  /** rare when documentFrequency / totalDocuments < rareBelow (default 0.02) */
  rareBelow?: number;
  /** entities that are rare whatever their frequency */
  named?: readonly string[];
}

/** The rare entity names, sorted. Bad options throw one line naming the option. */
export function selectRareEntities(options: RareEntityOptions): string[] {
  const out = new Set<string>(options.named ?? []);
  const freq = options.documentFrequency;
  if (freq !== undefined) {
    const total = options.totalDocuments;
    if (total === undefined || !(total > 0)) {
      throw new HybridocError(`rare entities: totalDocuments: must be a positive number when documentFrequency is given, got ${total}`);
    }
    const below = options.rareBelow ?? DEFAULT_RARE_BELOW;
    if (!(below >= 0 && below <= 1)) throw new HybridocError(`rare entities: rareBelow: must be a fraction in [0, 1], got ${below}`);
    for (const [entity, count] of Object.entries(freq)) {
      if (!(count >= 0)) throw new HybridocError(`rare entities: documentFrequency.${entity}: must be a count >= 0, got ${count}`);
      if (count / total < below) out.add(entity);
    }
  }
  return [...out].sort();
}
