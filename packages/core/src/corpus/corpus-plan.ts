/**
 * Which document gets which domain, template family and split. Everything is a function of (seed, index),
 * so any worker can build any shard and the result never depends on the order the work ran in.
 * Domains follow the configured mix exactly within each block of 100 documents (largest remainder, then a
 * seeded shuffle); splits do the same for train/val/test; unseen families go to test-unseen-templates.
 */
import { HybridocError } from '../util/errors.js';
import type { CorpusConfig, DomainConfig } from './corpus-config.js';
import { Rng } from './prng.js';

export const SPLITS = ['train', 'val', 'test', 'test-unseen-templates'] as const;
export type SplitName = (typeof SPLITS)[number];

export interface PlannedDocument {
  index: number;
  domain: string;
  template: string;
  unseen: boolean;
  split: SplitName;
}

const BLOCK = 100;

/** Integer counts over `n` slots proportional to weights (largest remainder). */
export function apportion(weights: number[], n: number): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / total) * n);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    counts[i]++;
  }
  return counts;
}

export class CorpusPlan {
  readonly domains: DomainConfig[];
  /** target share per selected domain (normalised) */
  readonly targets: Record<string, number>;
  private domainBlocks = new Map<number, string[]>();
  private splitBlocks = new Map<number, SplitName[]>();

  constructor(
    readonly config: CorpusConfig,
    readonly seed: number,
    readonly count: number,
    selected?: string[],
  ) {
    if (selected && selected.length) {
      for (const s of selected)
        if (!config.domains.some((d) => d.name === s))
          throw new HybridocError(`--domains: unknown domain "${s}" (known: ${config.domains.map((d) => d.name).join(', ')})`);
      this.domains = config.domains.filter((d) => selected.includes(d.name));
    } else this.domains = config.domains.filter((d) => d.share > 0);
    const total = this.domains.reduce((s, d) => s + d.share, 0);
    if (!(total > 0)) throw new HybridocError('the selected domains have no share of the corpus');
    this.targets = Object.fromEntries(this.domains.map((d) => [d.name, d.share / total]));
  }

  private domainBlock(b: number): string[] {
    let list = this.domainBlocks.get(b);
    if (!list) {
      const counts = apportion(
        this.domains.map((d) => d.share),
        BLOCK,
      );
      list = this.domains.flatMap((d, i) => Array<string>(counts[i]).fill(d.name));
      Rng.from(this.seed, 'domains', b).shuffle(list);
      if (this.domainBlocks.size > 64) this.domainBlocks.clear();
      this.domainBlocks.set(b, list);
    }
    return list;
  }

  private splitBlock(b: number): SplitName[] {
    let list = this.splitBlocks.get(b);
    if (!list) {
      const s = this.config.splits;
      const counts = apportion([s.train, s.val, s.test], BLOCK);
      list = [
        ...Array<SplitName>(counts[0]).fill('train'),
        ...Array<SplitName>(counts[1]).fill('val'),
        ...Array<SplitName>(counts[2]).fill('test'),
      ];
      Rng.from(this.seed, 'splits', b).shuffle(list);
      if (this.splitBlocks.size > 64) this.splitBlocks.clear();
      this.splitBlocks.set(b, list);
    }
    return list;
  }

  document(index: number): PlannedDocument {
    const b = Math.floor(index / BLOCK);
    const domain = this.domainBlock(b)[index % BLOCK];
    const dc = this.domains.find((d) => d.name === domain)!;
    const fam = Rng.from(this.seed, 'family', index).weighted(
      dc.families,
      dc.families.map((f) => f.weight),
    );
    const split: SplitName = fam.unseen ? 'test-unseen-templates' : this.splitBlock(b)[index % BLOCK];
    return { index, domain, template: fam.id, unseen: fam.unseen, split };
  }
}
