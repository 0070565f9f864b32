/**
 * Fonts and text measurement. The DejaVu TTF files ship in the `dejavu-fonts-ttf` npm package; they are
 * registered explicitly under hybridoc's own family aliases, so a page never falls back to a system font and
 * looks the same on every machine. Word widths come from the canvas's own text metrics: per-character
 * advances plus pair kerning (measured once with measureText, which makes any string's width exact), and
 * per-character glyph bounds (measured once) that turn an advance box into an ink box.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { HybridocError } from '../util/errors.js';

/** Font faces a template may use. */
export const FACE_FILES = {
  sans: 'DejaVuSans.ttf',
  'sans-bold': 'DejaVuSans-Bold.ttf',
  'sans-oblique': 'DejaVuSans-Oblique.ttf',
  'sans-light': 'DejaVuSans-ExtraLight.ttf',
  cond: 'DejaVuSansCondensed.ttf',
  'cond-bold': 'DejaVuSansCondensed-Bold.ttf',
  serif: 'DejaVuSerif.ttf',
  'serif-bold': 'DejaVuSerif-Bold.ttf',
  'serif-italic': 'DejaVuSerif-Italic.ttf',
  'serif-cond': 'DejaVuSerifCondensed.ttf',
  'serif-cond-bold': 'DejaVuSerifCondensed-Bold.ttf',
  mono: 'DejaVuSansMono.ttf',
  'mono-bold': 'DejaVuSansMono-Bold.ttf',
} as const;

export type Face = keyof typeof FACE_FILES;

export interface Font {
  face: Face;
  /** size in page units; always a multiple of 1/4 so canvas metrics scale exactly */
  size: number;
}

let registered = false;

/** Directory holding the DejaVu TTF files. */
export function fontDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  } catch {
    throw new HybridocError('dejavu-fonts-ttf: package not found (run npm install)');
  }
}

/** The canvas family name of a face. */
export function familyOf(face: Face): string {
  return `hybridoc-${face}`;
}

/** Register every face with the canvas (idempotent). */
export function registerFonts(): void {
  if (registered) return;
  const dir = fontDir();
  for (const [face, file] of Object.entries(FACE_FILES)) {
    const key = GlobalFonts.registerFromPath(join(dir, file), familyOf(face as Face));
    if (!key) throw new HybridocError(`${join(dir, file)}: cannot register font`);
  }
  registered = true;
}

export function cssFont(font: Font): string {
  return `${font.size}px "${familyOf(font.face)}"`;
}

/** Round a font size to the 1/4 grid. */
export function quantizeSize(size: number): number {
  return Math.max(1, Math.round(size * 4) / 4);
}

interface InkExtent {
  /** ink left and right relative to the pen position, top above and bottom below the baseline; em units */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** glyph bounds are measured at this size (px) */
const INK_PROBE = 100;

interface FaceMetrics {
  /** em units: typical ascent (tallest of "Hdlkb") and descent (deepest of "gjpqy") */
  ascent: number;
  descent: number;
  ink: Map<string, InkExtent | null>;
}

interface SizeCache {
  adv: Map<string, number>;
  /** pair kerning keyed by (first code point x 0x110000 + second) */
  kern: Map<number, number>;
}

/** Measured extent of one word set at a pen position. */
export interface WordExtent {
  /** advance width */
  width: number;
  /** ink box relative to (pen x, baseline): x0 <= ink left, x1 >= ink right, y0 = -ascent, y1 = descent */
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * Measures words with the canvas's metrics, caching per face and size. One per thread; results are pure
 * functions of (face, size, text), so caches never change what a document looks like.
 */
export class TextMeasurer {
  private ctx: SKRSContext2D;
  private currentFont = '';
  private faces = new Map<Face, FaceMetrics>();
  private sizes = new Map<Face, SizeCache>();

  constructor() {
    registerFonts();
    this.ctx = createCanvas(8, 8).getContext('2d');
  }

  private setFont(css: string): void {
    if (this.currentFont !== css) {
      this.ctx.font = css;
      this.currentFont = css;
    }
  }

  /** Metrics are measured once per face at REF px: canvas widths scale exactly for sizes on the 1/4 grid. */
  private sizeCache(face: Face): SizeCache {
    let c = this.sizes.get(face);
    if (!c) {
      c = { adv: new Map(), kern: new Map() };
      this.sizes.set(face, c);
    }
    return c;
  }

  private advance(c: SizeCache, css: string, ch: string): number {
    let a = c.adv.get(ch);
    if (a === undefined) {
      this.setFont(css);
      a = this.ctx.measureText(ch).width;
      c.adv.set(ch, a);
    }
    return a;
  }

  private kerning(c: SizeCache, css: string, prev: string, ch: string): number {
    const key = prev.codePointAt(0)! * 0x110000 + ch.codePointAt(0)!;
    let k = c.kern.get(key);
    if (k === undefined) {
      this.setFont(css);
      k = this.ctx.measureText(prev + ch).width - this.advance(c, css, prev) - this.advance(c, css, ch);
      if (Math.abs(k) < 1e-9) k = 0;
      c.kern.set(key, k);
    }
    return k;
  }

  /** Advance width of a string (exact: per-char advance + pair kerning, both from measureText). */
  width(text: string, font: Font): number {
    const c = this.sizeCache(font.face);
    const css = refFont(font.face);
    let w = 0;
    let prev = '';
    for (const ch of text) {
      w += this.advance(c, css, ch);
      if (prev) w += this.kerning(c, css, prev, ch);
      prev = ch;
    }
    return (w * font.size) / REF;
  }

  private faceMetrics(face: Face): FaceMetrics {
    let m = this.faces.get(face);
    if (!m) {
      m = { ascent: 0, descent: 0, ink: new Map() };
      this.faces.set(face, m);
      let asc = 0;
      let desc = 0;
      for (const ch of 'Hdlkb') asc = Math.max(asc, this.inkOf(face, m, ch)?.top ?? 0);
      for (const ch of 'gjpqy') desc = Math.max(desc, this.inkOf(face, m, ch)?.bottom ?? 0);
      m.ascent = asc;
      m.descent = desc;
    }
    return m;
  }

  /**
   * Ink extent of one character from the canvas's glyph bounds at a large size (measureText's actual
   * bounding box, which agrees with the drawn pixels to 1-2 px at 100 px), widened by 1 px each side.
   */
  private inkOf(face: Face, m: FaceMetrics, ch: string): InkExtent | null {
    const cached = m.ink.get(ch);
    if (cached !== undefined) return cached;
    this.setFont(refFont(face));
    const t = this.ctx.measureText(ch);
    const pad = 1 / INK_PROBE;
    const left = -t.actualBoundingBoxLeft / INK_PROBE;
    const right = t.actualBoundingBoxRight / INK_PROBE;
    const top = t.actualBoundingBoxAscent / INK_PROBE;
    const bottom = t.actualBoundingBoxDescent / INK_PROBE;
    const ext: InkExtent | null =
      right - left <= 0 || top + bottom <= 0 ? null : { left: left - pad, right: right + pad, top: top + pad, bottom: bottom + pad };
    m.ink.set(ch, ext);
    return ext;
  }

  /** Typical ascent and descent of a face at a size (page units). */
  lineMetrics(font: Font): { ascent: number; descent: number } {
    const m = this.faceMetrics(font.face);
    return { ascent: m.ascent * font.size, descent: m.descent * font.size };
  }

  /**
   * Width and ink box of a word. Horizontally the box is the ink (first glyph's left ink edge to the last
   * glyph's right ink edge); vertically it spans the face's ascent and descent, widened for taller glyphs.
   */
  measure(text: string, font: Font): WordExtent {
    const c = this.sizeCache(font.face);
    const css = refFont(font.face);
    const m = this.faceMetrics(font.face);
    let asc = m.ascent;
    let desc = m.descent;
    let left = Infinity;
    let right = -Infinity;
    let pen = 0;
    let prev = '';
    for (const ch of text) {
      if (prev) pen += this.kerning(c, css, prev, ch);
      const ink = this.inkOf(font.face, m, ch);
      if (ink) {
        if (ink.top > asc) asc = ink.top;
        if (ink.bottom > desc) desc = ink.bottom;
        if (pen + ink.left * REF < left) left = pen + ink.left * REF;
        if (pen + ink.right * REF > right) right = pen + ink.right * REF;
      }
      pen += this.advance(c, css, ch);
      prev = ch;
    }
    if (!Number.isFinite(left)) {
      left = 0;
      right = pen;
    }
    const k = font.size / REF;
    return { width: pen * k, x0: left * k, x1: right * k, y0: -asc * font.size, y1: desc * font.size };
  }
}

const REF = 100;

function refFont(face: Face): string {
  return `${REF}px "${familyOf(face)}"`;
}
