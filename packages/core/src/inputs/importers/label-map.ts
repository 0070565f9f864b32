/**
 * Label maps of the dataset importers (config/importers/<format>.yaml): source class -> hybridoc entity name
 * (or O), checked against the label schema when loaded, so a typo fails with the file and key.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { LabelSchema } from '../../schema/label-schema.js';
import { HybridocError, inputError } from '../../util/errors.js';
import { configPath } from '../../util/paths.js';

export const IMPORT_FORMATS = ['funsd', 'xfund', 'cord', 'sroie', 'wildreceipt'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportLabelMap {
  file: string;
  format: ImportFormat;
  /** source class -> entity name, or null for O */
  labels: Map<string, string | null>;
  /** CORD: entity (or null) for words flagged is_key */
  keyWords: string | null;
  /** WildReceipt: class names by id */
  classes: string[];
  /** entities whose consecutive source segments form one span */
  continueEntities: Set<string>;
}

export function defaultLabelMapPath(format: ImportFormat): string {
  return configPath('importers', `${format}.yaml`);
}

const KEYS = ['format', 'labels', 'keyWords', 'classes', 'continue'];

/** Read and check a label map; entity names must exist in the schema. */
export function loadImportLabelMap(format: ImportFormat, schema: LabelSchema, path: string = defaultLabelMapPath(format)): ImportLabelMap {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HybridocError(`${path}: cannot read label map (${code ?? (err as Error).message.split('\n')[0]})`);
  }
  const fail = (key: string | undefined, problem: string): never => {
    throw inputError(path, key, problem);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(undefined, 'expected a mapping at the top level');
  const doc = raw as Record<string, unknown>;
  for (const k of Object.keys(doc)) if (!KEYS.includes(k)) fail(k, `unknown key (expected one of ${KEYS.join(', ')})`);
  if (doc.format !== format) fail('format', `this map is for "${String(doc.format)}", not "${format}"`);
  const entity = (v: unknown, key: string): string | null => {
    if (v === 'O' || v === null) return null;
    if (typeof v !== 'string') return fail(key, `expected an entity name or O, got ${JSON.stringify(v)}`);
    if (!schema.entityIndex.has(v)) return fail(key, `unknown entity "${v}" (not in schema ${schema.name})`);
    return v;
  };
  if (typeof doc.labels !== 'object' || doc.labels === null || Array.isArray(doc.labels))
    return fail('labels', 'expected a mapping of source class -> entity');
  const labels = new Map<string, string | null>();
  for (const [k, v] of Object.entries(doc.labels as Record<string, unknown>)) labels.set(k, entity(v, `labels.${k}`));
  if (labels.size === 0) fail('labels', 'the map is empty');
  const classes = doc.classes === undefined ? [] : doc.classes;
  if (!Array.isArray(classes) || classes.some((c) => typeof c !== 'string')) return fail('classes', 'expected a list of class names');
  const cont = doc.continue === undefined ? [] : doc.continue;
  if (!Array.isArray(cont)) return fail('continue', 'expected a list of entity names');
  const continueEntities = new Set<string>();
  cont.forEach((c, i) => {
    const e = entity(c, `continue[${i}]`);
    if (e) continueEntities.add(e);
  });
  return {
    file: path,
    format,
    labels,
    keyWords: doc.keyWords === undefined ? null : entity(doc.keyWords, 'keyWords'),
    classes: classes as string[],
    continueEntities,
  };
}
