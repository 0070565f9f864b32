/**
 * The page layout a template builds: words placed with measured ink boxes, the graphics drawn around them
 * (rules, fills, logos, stamps, QR symbols, signatures, charts), and the entity spans words belong to.
 * Words are kept in emission order, which templates make the reading order (block by block, line by line);
 * pages are ordered at the end. A layout is a pure function of its seed: the renderer redraws it exactly.
 */
import type { Box } from '../documents/document.js';
import { quantizeSize, type Face, type Font, type TextMeasurer } from './fonts.js';

export interface LayoutWord {
  text: string;
  /** pen position and baseline in page units */
  x: number;
  baseline: number;
  /** ink box in page units */
  box: Box;
  font: Font;
  color: string;
  page: number;
  /** index into spans, -1 for words outside every entity */
  span: number;
  /** how the word is drawn: glyphs (default), or the graphic of a qr/graphic carrier */
  carrier?: 'qr' | 'graphic';
  /** drawn with this opacity (watermarks) */
  alpha?: number;
}

export type Graphic =
  | { kind: 'line'; page: number; x0: number; y0: number; x1: number; y1: number; width: number; color: string; dash?: number[] }
  | { kind: 'rect'; page: number; box: Box; fill?: string; stroke?: string; width?: number; radius?: number }
  | { kind: 'ellipse'; page: number; box: Box; fill?: string; stroke?: string; width?: number }
  | { kind: 'qr'; page: number; box: Box; payload: string }
  | { kind: 'signature'; page: number; box: Box; seed: number; color: string }
  | { kind: 'logo'; page: number; box: Box; shape: number; color: string; accent: string }
  | { kind: 'stamp'; page: number; box: Box; round: boolean; color: string; angle: number }
  | { kind: 'bars'; page: number; box: Box; values: number[]; color: string };

export interface Span {
  entity: string;
}

export interface PageSize {
  width: number;
  height: number;
}

export interface TextOptions {
  span?: number;
  color?: string;
  align?: 'left' | 'right' | 'center';
  alpha?: number;
}

export interface Extent {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const EMPTY: Extent = { x0: 0, y0: 0, x1: 0, y1: 0 };

export function font(face: Face, size: number): Font {
  return { face, size: quantizeSize(size) };
}

export class LayoutBuilder {
  readonly pages: PageSize[] = [];
  readonly words: LayoutWord[] = [];
  readonly graphics: Graphic[] = [];
  readonly spans: Span[] = [];
  page = 0;

  constructor(
    readonly measurer: TextMeasurer,
    size: PageSize,
  ) {
    this.pages.push({ ...size });
  }

  get width(): number {
    return this.pages[this.page].width;
  }

  get height(): number {
    return this.pages[this.page].height;
  }

  newPage(size?: PageSize): number {
    this.pages.push(size ? { ...size } : { ...this.pages[this.pages.length - 1] });
    this.page = this.pages.length - 1;
    return this.page;
  }

  /** Set the current page's height (receipts grow with their content). */
  setHeight(h: number): void {
    this.pages[this.page].height = h;
  }

  /** Open an entity span; its words get B- then I- labels in reading order. */
  span(entity: string): number {
    this.spans.push({ entity });
    return this.spans.length - 1;
  }

  textWidth(text: string, f: Font): number {
    const parts = splitWords(text);
    if (parts.length === 0) return 0;
    const space = this.measurer.width(' ', f);
    let w = 0;
    for (const p of parts) w += this.measurer.width(p, f);
    return w + space * (parts.length - 1);
  }

  ascent(f: Font): number {
    return this.measurer.lineMetrics(f).ascent;
  }

  /** Line height for a font (the distance between baselines of consecutive lines). */
  lineHeight(f: Font, leading = 1.22): number {
    return f.size * leading;
  }

  /**
   * Place one line of text whose top (ascent line) is at `top`; x is the left, right or centre edge
   * depending on align. Returns the extent of the ink boxes.
   */
  text(x: number, top: number, text: string, f: Font, opts: TextOptions = {}): Extent {
    const parts = splitWords(text);
    if (parts.length === 0) return { ...EMPTY, x0: x, x1: x, y0: top, y1: top };
    const m = this.measurer;
    const space = m.width(' ', f);
    const widths = parts.map((p) => m.width(p, f));
    const total = widths.reduce((a, b) => a + b, 0) + space * (parts.length - 1);
    let pen = opts.align === 'right' ? x - total : opts.align === 'center' ? x - total / 2 : x;
    const baseline = top + m.lineMetrics(f).ascent;
    const ext: Extent = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    for (let i = 0; i < parts.length; i++) {
      const e = m.measure(parts[i], f);
      const box: Box = [pen + e.x0, baseline + e.y0, pen + e.x1, baseline + e.y1];
      this.words.push({
        text: parts[i],
        x: pen,
        baseline,
        box,
        font: f,
        color: opts.color ?? '#000000',
        page: this.page,
        span: opts.span ?? -1,
        ...(opts.alpha !== undefined ? { alpha: opts.alpha } : {}),
      });
      if (box[0] < ext.x0) ext.x0 = box[0];
      if (box[1] < ext.y0) ext.y0 = box[1];
      if (box[2] > ext.x1) ext.x1 = box[2];
      if (box[3] > ext.y1) ext.y1 = box[3];
      pen += widths[i] + space;
    }
    return ext;
  }

  /** Break text into lines no wider than `width`; a word longer than the width is kept whole. */
  wrapLines(text: string, f: Font, width: number): string[] {
    const parts = splitWords(text);
    const lines: string[] = [];
    const m = this.measurer;
    const space = m.width(' ', f);
    let cur: string[] = [];
    let w = 0;
    for (const p of parts) {
      const pw = m.width(p, f);
      if (cur.length > 0 && w + space + pw > width) {
        lines.push(cur.join(' '));
        cur = [p];
        w = pw;
      } else {
        w += (cur.length ? space : 0) + pw;
        cur.push(p);
      }
    }
    if (cur.length) lines.push(cur.join(' '));
    return lines;
  }

  /** A wrapped paragraph; returns the y below its last line. */
  para(x: number, top: number, width: number, text: string, f: Font, opts: TextOptions & { leading?: number } = {}): number {
    const lh = this.lineHeight(f, opts.leading);
    const lines = this.wrapLines(text, f, width);
    let y = top;
    for (const line of lines) {
      const ax = opts.align === 'right' ? x + width : opts.align === 'center' ? x + width / 2 : x;
      this.text(ax, y, line, f, opts);
      y += lh;
    }
    return y;
  }

  /** Several lines, one per string; returns the y below the last. */
  lines(x: number, top: number, lines: string[], f: Font, opts: TextOptions & { leading?: number } = {}): number {
    const lh = this.lineHeight(f, opts.leading);
    let y = top;
    for (const l of lines) {
      this.text(x, y, l, f, opts);
      y += lh;
    }
    return y;
  }

  /** A non-text entity word (QR payload, signature token) whose box is the graphic. */
  carrierWord(text: string, box: Box, span: number, carrier: 'qr' | 'graphic'): void {
    this.words.push({
      text,
      x: box[0],
      baseline: box[3],
      box,
      font: { face: 'sans', size: 1 },
      color: '#000000',
      page: this.page,
      span,
      carrier,
    });
  }

  hline(x0: number, x1: number, y: number, width = 0.6, color = '#000000', dash?: number[]): void {
    this.graphics.push({ kind: 'line', page: this.page, x0, y0: y, x1, y1: y, width, color, ...(dash ? { dash } : {}) });
  }

  vline(x: number, y0: number, y1: number, width = 0.6, color = '#000000'): void {
    this.graphics.push({ kind: 'line', page: this.page, x0: x, y0, x1: x, y1, width, color });
  }

  rect(box: Box, style: { fill?: string; stroke?: string; width?: number; radius?: number }): void {
    this.graphics.push({ kind: 'rect', page: this.page, box, ...style });
  }

  graphic(g: Graphic): void {
    this.graphics.push(g);
  }

  /** Lowest ink on the current page (0 when empty). */
  bottomOfPage(page = this.page): number {
    let y = 0;
    for (const w of this.words) if (w.page === page && w.box[3] > y && !w.alpha) y = w.box[3];
    for (const g of this.graphics) {
      if (g.page !== page) continue;
      const b = 'box' in g ? g.box[3] : Math.max(g.y0, g.y1);
      if (b > y) y = b;
    }
    return y;
  }
}

export function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((s) => s.length > 0);
}
