/**
 * manifest.json: what a corpus holds. Counts, the domain mix against its target, template families,
 * splits with their shard files, and per-entity document and token frequencies (overall and in train),
 * per-label token counts, the generator version and the options that made it. Written last, so a corpus
 * with a manifest is complete; it holds no timestamps, so the same seed and options give the same bytes.
 */
import type { LabelSchema } from '../schema/label-schema.js';
import { SPLITS, type SplitName } from './corpus-plan.js';

export const MANIFEST_FORMAT = 'hybridoc-corpus-manifest/1';

/** What one shard-sized chunk of work produced (stats/chunk-NNNNN.json, the chunk's commit marker). */
export interface ChunkStats {
  chunk: number;
  first: number;
  count: number;
  files: Array<{ split: SplitName; file: string; documents: number; bytes: number }>;
  images: { files: number; bytes: number };
  pages: number;
  words: number;
  domains: Record<string, number>;
  templates: Record<string, number>;
  /** split -> entity -> [documents, tokens] */
  entities: Partial<Record<SplitName, Record<string, [number, number]>>>;
  /** split -> label -> tokens */
  labels: Partial<Record<SplitName, Record<string, number>>>;
}

export interface ManifestEntity {
  name: string;
  group: string;
  domains: string[];
  documents: number;
  /** documents containing the entity / all documents */
  docFraction: number;
  tokens: number;
  train: { documents: number; tokens: number };
}

export interface CorpusManifest {
  format: string;
  generator: { name: string; version: string };
  schema: { name: string; hash: string; numEntities: number; numLabels: number };
  options: {
    seed: number;
    count: number;
    domains: string[];
    images: boolean;
    imageSize: number;
    shardSize: number;
    noise: { ocr: number; jitter: number; rotate: number; scan: number };
    splits: { train: number; val: number; test: number };
  };
  counts: { documents: number; pages: number; words: number; images: number; shardBytes: number; imageBytes: number };
  domainMix: Array<{ domain: string; target: number; documents: number; fraction: number }>;
  templates: Array<{ id: string; domain: string; unseen: boolean; documents: number }>;
  splits: Record<SplitName, { documents: number; shards: string[] }>;
  entities: ManifestEntity[];
  /** token counts per BIO label, over all documents and over train */
  labelTokens: { all: Record<string, number>; train: Record<string, number> };
}

export function buildManifest(
  schema: LabelSchema,
  generator: { name: string; version: string },
  options: CorpusManifest['options'],
  targets: Record<string, number>,
  families: Array<{ id: string; domain: string; unseen: boolean }>,
  chunks: ChunkStats[],
): CorpusManifest {
  const sorted = [...chunks].sort((a, b) => a.chunk - b.chunk);
  const sum = (f: (c: ChunkStats) => number) => sorted.reduce((s, c) => s + f(c), 0);
  const documents = sum((c) => c.count);
  const domCount: Record<string, number> = {};
  const famCount: Record<string, number> = {};
  for (const c of sorted) {
    for (const [k, v] of Object.entries(c.domains)) domCount[k] = (domCount[k] ?? 0) + v;
    for (const [k, v] of Object.entries(c.templates)) famCount[k] = (famCount[k] ?? 0) + v;
  }
  const splits = Object.fromEntries(SPLITS.map((s) => [s, { documents: 0, shards: [] as string[] }])) as CorpusManifest['splits'];
  for (const c of sorted)
    for (const f of c.files) {
      splits[f.split].documents += f.documents;
      splits[f.split].shards.push(f.file);
    }
  const ent = (split: SplitName | 'all', name: string): [number, number] => {
    let d = 0;
    let t = 0;
    for (const c of sorted)
      for (const s of SPLITS) {
        if (split !== 'all' && s !== split) continue;
        const v = c.entities[s]?.[name];
        if (v) {
          d += v[0];
          t += v[1];
        }
      }
    return [d, t];
  };
  const labelsOf = (split: SplitName | 'all'): Record<string, number> => {
    const out: Record<string, number> = Object.fromEntries(schema.labels.map((l) => [l, 0]));
    for (const c of sorted)
      for (const s of SPLITS) {
        if (split !== 'all' && s !== split) continue;
        for (const [l, v] of Object.entries(c.labels[s] ?? {})) out[l] = (out[l] ?? 0) + v;
      }
    return out;
  };
  return {
    format: MANIFEST_FORMAT,
    generator,
    schema: { name: schema.name, hash: schema.hash, numEntities: schema.numEntities, numLabels: schema.numLabels },
    options,
    counts: {
      documents,
      pages: sum((c) => c.pages),
      words: sum((c) => c.words),
      images: sum((c) => c.images.files),
      shardBytes: sum((c) => c.files.reduce((s, f) => s + f.bytes, 0)),
      imageBytes: sum((c) => c.images.bytes),
    },
    domainMix: Object.entries(targets).map(([domain, target]) => ({
      domain,
      target: round6(target),
      documents: domCount[domain] ?? 0,
      fraction: round6(documents ? (domCount[domain] ?? 0) / documents : 0),
    })),
    templates: families.map((f) => ({ ...f, documents: famCount[f.id] ?? 0 })),
    splits,
    entities: schema.entities.map((e) => {
      const [d, t] = ent('all', e.name);
      const [td, tt] = ent('train', e.name);
      return {
        name: e.name,
        group: schema.groups[e.group].name,
        domains: e.domains,
        documents: d,
        docFraction: round6(documents ? d / documents : 0),
        tokens: t,
        train: { documents: td, tokens: tt },
      };
    }),
    labelTokens: { all: labelsOf('all'), train: labelsOf('train') },
  };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
