/**
 * "New labels without retraining", measured: one entity is held out of training and added afterwards from a
 * few annotated documents with add-label, and its F1 is compared with the F1 it gets when trained normally.
 *
 * Holding out means the model never has labels for it: the schema without the entity (its group keeps its
 * other entities; labels after it shift down), and a copy of the corpus whose words of that entity are
 * relabelled O, its manifest naming the reduced schema. Both are plain files in the work directory, so the
 * trainer, the feature cache and evaluation treat them like any schema and corpus. The model trained on them
 * is then extended with `addLabel` (the entity's B-/I- prototypes from the example words' embeddings) and
 * scored on the original corpus's test documents, whose words carry the entity again.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readCorpus, readManifest } from '../corpus/read-corpus.js';
import type { SplitName } from '../corpus/corpus-plan.js';
import type { InvoiceDocument } from '../documents/document.js';
import { evaluateDocuments, type EvaluationDocument } from '../evaluation/evaluate.js';
import type { SpanScore } from '../evaluation/span-scores.js';
import { addLabel } from '../heads/add-label.js';
import { labelSchemaDocument, labelSchemaYaml } from '../heads/schema-document.js';
import { HybridocModel } from '../predict/hybridoc-model.js';
import { buildLabelSchema, loadLabelSchema, type LabelSchema } from '../schema/label-schema.js';
import { HybridocError } from '../util/errors.js';

/** The schema without `entity`, written to `file` (a real file: training runs record and reload their schema by path). */
export function writeSchemaWithout(schema: LabelSchema, entity: string, file: string): LabelSchema {
  const index = schema.entityIndex.get(entity);
  if (index === undefined) throw new HybridocError(`--hold-out: "${entity}" is not an entity of ${schema.file}`);
  const group = schema.groups[schema.entities[index].group];
  if (group.entities.length < 2)
    throw new HybridocError(`--hold-out: ${entity} is the only entity of group ${group.name}; hold out one whose group keeps others`);
  const doc = labelSchemaDocument(schema) as { groups: Array<{ entities: Array<{ name: string }> }> };
  for (const g of doc.groups) g.entities = g.entities.filter((e) => e.name !== entity);
  const reduced = buildLabelSchema(doc, file);
  const text = labelSchemaYaml(reduced);
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  return loadLabelSchema(file);
}

/**
 * A copy of `corpus` in `out` with every B-/I-`entity` word relabelled O and the manifest naming `schema`.
 * Page images are shared through a symbolic link. Made in a temporary folder and renamed into place, so a
 * folder with a manifest is complete.
 */
export function writeCorpusWithout(corpus: string, entity: string, schema: LabelSchema, out: string): void {
  if (existsSync(join(out, 'manifest.json'))) return;
  const tmp = `${resolve(out)}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'shards'), { recursive: true });
  const labels = new Set([`B-${entity}`, `I-${entity}`]);
  for (const f of readdirSync(join(corpus, 'shards'))) {
    if (!f.endsWith('.jsonl')) continue;
    const lines = readFileSync(join(corpus, 'shards', f), 'utf8').split('\n');
    const rewritten = lines.map((line) => {
      if (!line.trim()) return line;
      const doc = JSON.parse(line) as InvoiceDocument;
      for (const w of doc.words) if (w.label !== undefined && labels.has(w.label)) w.label = 'O';
      return JSON.stringify(doc);
    });
    writeFileSync(join(tmp, 'shards', f), rewritten.join('\n'));
  }
  if (existsSync(join(corpus, 'images'))) symlinkSync(resolve(corpus, 'images'), join(tmp, 'images'), 'dir');
  const manifest = JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8')) as Record<string, unknown> & {
    schema: Record<string, unknown>;
    entities: Array<{ name: string }>;
    labelTokens?: Record<string, Record<string, number>>;
  };
  manifest.schema = {
    ...manifest.schema,
    name: schema.name,
    hash: schema.hash,
    numEntities: schema.numEntities,
    numLabels: schema.numLabels,
  };
  manifest.entities = manifest.entities.filter((e) => e.name !== entity);
  if (manifest.labelTokens) {
    for (const counts of Object.values(manifest.labelTokens)) {
      for (const l of labels) {
        counts.O = (counts.O ?? 0) + (counts[l] ?? 0);
        delete counts[l];
      }
    }
  }
  (manifest as Record<string, unknown>).heldOut = { entity, from: resolve(corpus) };
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
}

/** The first `count` documents of a split that carry `entity` (the add-label examples). */
export async function documentsWithEntity(corpus: string, split: SplitName, entity: string, count: number): Promise<InvoiceDocument[]> {
  const out: InvoiceDocument[] = [];
  for await (const doc of readCorpus(corpus, split)) {
    if (doc.words.some((w) => w.label === `B-${entity}`)) out.push(doc);
    if (out.length >= count) break;
  }
  if (out.length < count) throw new HybridocError(`${corpus}: only ${out.length} ${split} documents carry ${entity}, ${count} wanted`);
  return out;
}

export interface AddedEntityScore {
  entity: string;
  group: string;
  /** the add-label examples */
  examples: number;
  /** the entity's strict span scores on the test documents, after add-label */
  added: SpanScore;
  /** micro F1 over every other entity on the same documents (add-label leaves them nearly unchanged) */
  othersMicroF1: number;
  documents: number;
}

/**
 * Extend the held-out run with the entity from `examples` (add-label), then predict the original corpus's
 * `splits` with the extended model and score the entity.
 */
export async function addHeldOutEntity(o: {
  run: string;
  out: string;
  corpus: string;
  entity: string;
  group: string;
  examples: InvoiceDocument[];
  /** the original corpus's splits scored (default test) */
  splits?: SplitName[];
  threads?: number;
}): Promise<AddedEntityScore> {
  if (!existsSync(join(o.out, 'manifest.json'))) {
    await addLabel({
      modelDir: o.run,
      entity: o.entity,
      group: o.group,
      examples: o.examples,
      imageRoot: o.corpus,
      out: o.out,
      ...(o.threads ? { session: { intraOpThreads: o.threads } } : {}),
    });
  }
  const model = await HybridocModel.load(o.out, { threads: o.threads });
  const docs: EvaluationDocument[] = [];
  try {
    for await (const doc of readCorpus(o.corpus, o.splits ?? ['test'])) {
      const p = await model.predict(doc, { imageRoot: o.corpus });
      docs.push({
        id: doc.id,
        domain: doc.domain,
        template: doc.template,
        unseenTemplate: doc.unseenTemplate,
        gold: doc.words.map((w) => w.label ?? 'O'),
        pred: p.labels,
      });
    }
  } finally {
    await model.close();
  }
  const report = evaluateDocuments(docs, { schema: model.schema, bootstrap: { samples: 1 } });
  const zero: SpanScore = { precision: 0, recall: 0, f1: 0, support: 0, predicted: 0, correct: 0 };
  const added = report.perEntity[o.entity] ?? zero;
  let correct = 0;
  let predicted = 0;
  let support = 0;
  for (const [name, s] of Object.entries(report.perEntity)) {
    if (name === o.entity) continue;
    correct += s.correct;
    predicted += s.predicted;
    support += s.support;
  }
  const p = predicted ? correct / predicted : 0;
  const r = support ? correct / support : 0;
  return {
    entity: o.entity,
    group: o.group,
    examples: o.examples.length,
    added,
    othersMicroF1: p + r ? (2 * p * r) / (p + r) : 0,
    documents: docs.length,
  };
}

/** Whether a corpus directory is a held-out copy (and of which entity). */
export function heldOutEntityOf(corpus: string): string | undefined {
  const m = readManifest(corpus) as unknown as { heldOut?: { entity: string } };
  return m.heldOut?.entity;
}
