/**
 * Generate one shard-sized chunk: its documents, their 224 x 224 page images, one JSONL file per split, and
 * the chunk's stats file, written last as its commit marker. Files are written under temporary names and
 * renamed, so an interrupted chunk leaves no partial shard behind and is simply made again on resume.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InvoiceDocument } from '../documents/document.js';
import type { CorpusPlan, SplitName } from './corpus-plan.js';
import type { DocumentFactory, NoiseOptions } from './generate-document.js';
import type { ChunkStats } from './manifest.js';
import { drawPage } from './render.js';
import { encodePng } from './png.js';

export interface ChunkJob {
  out: string;
  plan: CorpusPlan;
  factory: DocumentFactory;
  noise: NoiseOptions;
  images: boolean;
  imageSize: number;
  shardSize: number;
  count: number;
  /** called after each document */
  onDocument?: () => void;
  /** stop between documents (the chunk is left uncommitted) */
  shouldStop?: () => boolean;
}

export function chunkName(k: number): string {
  return String(k).padStart(5, '0');
}

export function statsPath(out: string, k: number): string {
  return join(out, 'stats', `chunk-${chunkName(k)}.json`);
}

/** Make chunk k; returns its stats, or null when stopped before the end. */
export function writeChunk(job: ChunkJob, k: number): ChunkStats | null {
  const first = k * job.shardSize;
  const last = Math.min(job.count, first + job.shardSize);
  const lines = new Map<SplitName, string[]>();
  const stats: ChunkStats = {
    chunk: k,
    first,
    count: last - first,
    files: [],
    images: { files: 0, bytes: 0 },
    pages: 0,
    words: 0,
    domains: {},
    templates: {},
    entities: {},
    labels: {},
  };
  const imgDir = join(job.out, 'images', chunkName(k));
  if (job.images) mkdirSync(imgDir, { recursive: true });
  for (let i = first; i < last; i++) {
    if (job.shouldStop?.()) return null;
    const p = job.plan.document(i);
    const g = job.factory.generate({ seed: job.plan.seed, index: i, domain: p.domain, template: p.template, noise: job.noise });
    const doc: InvoiceDocument = g.doc;
    doc.unseenTemplate = p.unseen;
    doc.meta = { ...doc.meta, split: p.split };
    if (job.images) {
      g.pages.forEach((pg, pi) => {
        const rel = `images/${chunkName(k)}/${doc.id}-p${pi}.png`;
        const png = encodePng(drawPage(pg, { width: job.imageSize, height: job.imageSize }));
        writeFileSync(join(job.out, rel), png);
        doc.pages[pi].image = rel;
        stats.images.files++;
        stats.images.bytes += png.length;
      });
    }
    let list = lines.get(p.split);
    if (!list) lines.set(p.split, (list = []));
    list.push(JSON.stringify(doc));
    // statistics
    stats.pages += doc.pages.length;
    stats.words += doc.words.length;
    stats.domains[p.domain] = (stats.domains[p.domain] ?? 0) + 1;
    stats.templates[p.template] = (stats.templates[p.template] ?? 0) + 1;
    const ents = (stats.entities[p.split] ??= {});
    const labs = (stats.labels[p.split] ??= {});
    const seen = new Set<string>();
    for (const w of doc.words) {
      const l = w.label ?? 'O';
      labs[l] = (labs[l] ?? 0) + 1;
      if (l === 'O') continue;
      const e = l.slice(2);
      const v = (ents[e] ??= [0, 0]);
      v[1]++;
      if (!seen.has(e)) {
        seen.add(e);
        v[0]++;
      }
    }
    job.onDocument?.();
  }
  const shardDir = join(job.out, 'shards');
  mkdirSync(shardDir, { recursive: true });
  for (const [split, list] of [...lines.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const rel = `shards/${split}-${chunkName(k)}.jsonl`;
    const body = list.join('\n') + '\n';
    const tmp = join(job.out, rel + '.tmp');
    writeFileSync(tmp, body);
    renameSync(tmp, join(job.out, rel));
    stats.files.push({ split, file: rel, documents: list.length, bytes: Buffer.byteLength(body) });
  }
  mkdirSync(join(job.out, 'stats'), { recursive: true });
  const sp = statsPath(job.out, k);
  writeFileSync(sp + '.tmp', JSON.stringify(stats) + '\n');
  renameSync(sp + '.tmp', sp);
  return stats;
}
