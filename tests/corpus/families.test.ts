/**
 * Template families differ for real: between two families of a domain the same entity sits elsewhere
 * (box IoU under 0.5 on average), while the registry and config/domains.yaml give every domain at least
 * three families, one of them held out, 24 or more in all.
 */
import { loadLabelSchema } from '../../packages/core/src/schema/label-schema.js';
import { DocumentFactory, NO_NOISE } from '../../packages/core/src/corpus/generate-document.js';
import { FAMILIES } from '../../packages/core/src/corpus/templates/index.js';
import { loadCorpusConfig } from '../../packages/core/src/corpus/corpus-config.js';
import type { Box, InvoiceDocument } from '../../packages/core/src/documents/document.js';

const schema = loadLabelSchema();
const config = loadCorpusConfig(schema);
const factory = new DocumentFactory(schema);
const K = 8;

/** entity -> its first instance's box (union of the span's words) on page 0, in page fractions */
function entityBoxes(d: InvoiceDocument): Map<string, Box> {
  const out = new Map<string, Box>();
  const p = d.pages[0];
  let cur: string | null = null;
  for (const w of d.words) {
    if (w.page !== 0 || !w.label || w.label === 'O') {
      cur = null;
      continue;
    }
    const e = w.label.slice(2);
    const b: Box = [w.box[0] / p.width, w.box[1] / p.height, w.box[2] / p.width, w.box[3] / p.height];
    if (w.label.startsWith('B-')) {
      cur = out.has(e) ? null : e;
      if (cur) out.set(e, b);
    } else if (cur === e) {
      const u = out.get(e)!;
      out.set(e, [Math.min(u[0], b[0]), Math.min(u[1], b[1]), Math.max(u[2], b[2]), Math.max(u[3], b[3])]);
    }
  }
  return out;
}

function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

test('every domain has >= 3 families, one held out; >= 24 families in all, all of them configured', () => {
  expect(FAMILIES.length).toBeGreaterThanOrEqual(24);
  expect(new Set(FAMILIES.map((f) => f.id)).size).toBe(FAMILIES.length);
  for (const dom of schema.domains) {
    const dc = config.domains.find((d) => d.name === dom)!;
    expect(dc.families.length).toBeGreaterThanOrEqual(3);
    expect(dc.families.filter((f) => f.unseen).length).toBeGreaterThanOrEqual(1);
  }
  const configured = new Set(config.domains.flatMap((d) => d.families.map((f) => f.id)));
  for (const f of FAMILIES) expect(configured.has(f.id)).toBe(true);
});

function meanIou(xs: Array<Map<string, Box>>, ys: Array<Map<string, Box>>, skipSame: boolean): { mean: number; n: number } {
  let sum = 0;
  let n = 0;
  xs.forEach((da, i) =>
    ys.forEach((db, j) => {
      if (skipSame && j <= i) return;
      for (const [e, ba] of da) {
        const bb = db.get(e);
        if (!bb) continue;
        sum += iou(ba, bb);
        n++;
      }
    }),
  );
  return { mean: n ? sum / n : 0, n };
}

test('the same entity sits elsewhere in another family of the domain (mean box IoU < 0.5, well below within a family)', () => {
  const report: string[] = [];
  for (const dom of schema.domains) {
    const fams = FAMILIES.filter((f) => f.domain === dom);
    const boxes = fams.map((f, fi) =>
      Array.from({ length: K }, (_, k) =>
        entityBoxes(factory.generate({ seed: 9, index: fi * 100 + k, domain: dom, template: f.id, noise: NO_NOISE }).doc),
      ),
    );
    const across: number[] = [];
    for (let a = 0; a < fams.length; a++)
      for (let b = a + 1; b < fams.length; b++) {
        const { mean, n } = meanIou(boxes[a], boxes[b], false);
        expect(n).toBeGreaterThan(0);
        across.push(mean);
        report.push(`${fams[a].id} vs ${fams[b].id}: ${mean.toFixed(3)} over ${n} entity pairs`);
      }
    const within = boxes.map((bs) => meanIou(bs, bs, true).mean);
    const acrossMean = across.reduce((s, x) => s + x, 0) / across.length;
    const withinMean = within.reduce((s, x) => s + x, 0) / within.length;
    report.push(`${dom}: across families ${acrossMean.toFixed(3)}, within a family ${withinMean.toFixed(3)}`);
    expect([dom, acrossMean < 0.5]).toEqual([dom, true]);
    for (const m of across) expect(m).toBeLessThan(0.5);
    // the measure can tell: documents of one family overlap clearly more than documents of two
    expect([dom, withinMean > 1.5 * acrossMean]).toEqual([dom, true]);
  }
  if (process.env.HYBRIDOC_REPORT) process.stdout.write(report.join('\n') + '\n');
});
