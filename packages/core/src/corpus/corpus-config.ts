/**
 * The corpus configuration: config/domains.yaml (domain shares and template families, which are held out)
 * and config/corpus.yaml (shard size, image size, split fractions, noise defaults). Bad files fail with one
 * line naming the file and the key.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { HybridocError, inputError } from '../util/errors.js';
import { configPath } from '../util/paths.js';
import type { LabelSchema } from '../schema/label-schema.js';
import type { NoiseOptions } from './generate-document.js';
import { familyById } from './templates/index.js';

export interface FamilyConfig {
  id: string;
  weight: number;
  unseen: boolean;
}

export interface DomainConfig {
  name: string;
  share: number;
  families: FamilyConfig[];
}

export interface CorpusConfig {
  domains: DomainConfig[];
  shardSize: number;
  imageSize: number;
  splits: { train: number; val: number; test: number };
  noise: NoiseOptions;
}

type Obj = Record<string, unknown>;

function readYaml(file: string): Obj {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HybridocError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw inputError(file, undefined, `not valid YAML: ${String((err as Error).message).split('\n')[0]}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw inputError(file, undefined, 'expected a mapping at the top level');
  return raw as Obj;
}

function num(file: string, key: string, v: unknown, min: number, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw inputError(file, key, `expected a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

function keys(file: string, prefix: string, o: Obj, allowed: string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw inputError(file, prefix ? `${prefix}.${k}` : k, `unknown key (allowed: ${allowed.join(', ')})`);
}

/** Load and check both corpus files against the schema and the template registry. */
export function loadCorpusConfig(schema: LabelSchema, files: { domains?: string; corpus?: string } = {}): CorpusConfig {
  const df = files.domains ?? configPath('domains.yaml');
  const cf = files.corpus ?? configPath('corpus.yaml');
  const d = readYaml(df);
  keys(df, '', d, ['schema', 'domains']);
  if (typeof d.domains !== 'object' || d.domains === null || Array.isArray(d.domains))
    throw inputError(df, 'domains', 'expected a mapping of domain -> { share, families }');
  const domains: DomainConfig[] = [];
  for (const [name, raw] of Object.entries(d.domains as Obj)) {
    const key = `domains.${name}`;
    if (!schema.domains.includes(name)) throw inputError(df, key, `unknown domain (the label schema has: ${schema.domains.join(', ')})`);
    if (typeof raw !== 'object' || raw === null) throw inputError(df, key, 'expected { share, families }');
    const o = raw as Obj;
    keys(df, key, o, ['share', 'families']);
    const share = num(df, `${key}.share`, o.share, 0, 1);
    if (!Array.isArray(o.families) || o.families.length === 0) throw inputError(df, `${key}.families`, 'expected a non-empty list');
    const families: FamilyConfig[] = (o.families as unknown[]).map((f, i) => {
      const fk = `${key}.families[${i}]`;
      if (typeof f !== 'object' || f === null) throw inputError(df, fk, 'expected { id, weight, unseen }');
      const fo = f as Obj;
      keys(df, fk, fo, ['id', 'weight', 'unseen']);
      const id = fo.id;
      if (typeof id !== 'string') throw inputError(df, `${fk}.id`, 'expected a template family id');
      const fam = familyById(id);
      if (!fam) throw inputError(df, `${fk}.id`, `unknown template family "${id}"`);
      if (fam.domain !== name) throw inputError(df, `${fk}.id`, `family "${id}" belongs to domain ${fam.domain}`);
      const weight = fo.weight === undefined ? 1 : num(df, `${fk}.weight`, fo.weight, 0);
      if (fo.unseen !== undefined && typeof fo.unseen !== 'boolean') throw inputError(df, `${fk}.unseen`, 'expected true or false');
      return { id, weight, unseen: fo.unseen === true };
    });
    if (!families.some((f) => !f.unseen && f.weight > 0))
      throw inputError(df, `${key}.families`, 'needs at least one seen family with weight > 0');
    domains.push({ name, share, families });
  }
  if (domains.length === 0) throw inputError(df, 'domains', 'lists no domain');

  const c = readYaml(cf);
  keys(cf, '', c, ['schema', 'shard_size', 'image_size', 'splits', 'noise']);
  const shardSize = Math.round(num(cf, 'shard_size', c.shard_size ?? 500, 1, 1e6));
  const imageSize = Math.round(num(cf, 'image_size', c.image_size ?? 224, 16, 4096));
  const sp = (c.splits ?? { train: 0.85, val: 0.1, test: 0.05 }) as Obj;
  keys(cf, 'splits', sp, ['train', 'val', 'test']);
  const splits = {
    train: num(cf, 'splits.train', sp.train, 0, 1),
    val: num(cf, 'splits.val', sp.val, 0, 1),
    test: num(cf, 'splits.test', sp.test, 0, 1),
  };
  if (Math.abs(splits.train + splits.val + splits.test - 1) > 1e-6) throw inputError(cf, 'splits', 'train + val + test must be 1');
  const nz = (c.noise ?? {}) as Obj;
  keys(cf, 'noise', nz, ['ocr', 'jitter', 'rotate', 'scan']);
  const noise: NoiseOptions = {
    ocr: num(cf, 'noise.ocr', nz.ocr ?? 0, 0, 1),
    jitter: num(cf, 'noise.jitter', nz.jitter ?? 0, 0, 1),
    rotate: num(cf, 'noise.rotate', nz.rotate ?? 0, 0, 15),
    scan: num(cf, 'noise.scan', nz.scan ?? 0, 0, 1),
  };
  return { domains, shardSize, imageSize, splits, noise };
}
