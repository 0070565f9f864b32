/**
 * Drawing pages with @napi-rs/canvas. A generated document is redrawn from its seed (the generator
 * rebuilds the same layout), so a 224 x 224 training image and a full-resolution page for a contact sheet
 * or an OCR test are the same drawing at two scales. Documents from elsewhere (imports) are drawn as their
 * words set in their boxes.
 */
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import QRCode from 'qrcode';
import type { Box, InvoiceDocument } from '../documents/document.js';
import { cssFont, quantizeSize, registerFonts } from './fonts.js';
import type { Graphic, LayoutWord } from './layout.js';
import { Rng } from './prng.js';

/** How a page looks when scanned: applied when drawing, never to the words. */
export interface ScanLook {
  /** blur radius in output pixels at scale 1 */
  blur: number;
  /** paper tint (0 = white) */
  tint: number;
  /** per-word ink strength variation (0..1) */
  inkVariation: number;
  /** specks per 10,000 page units² */
  specks: number;
  seed: number;
}

/** What the renderer needs of a page: its size, rotation, words and graphics. */
export interface PageDrawing {
  width: number;
  height: number;
  /** degrees, clockwise, about the page centre */
  rotation: number;
  words: LayoutWord[];
  graphics: Graphic[];
  scan?: ScanLook;
}

export interface RenderOptions {
  /** output pixels per page unit (default 1); ignored when width and height are given */
  scale?: number;
  /** exact output size (the page is stretched to it, as the 224 x 224 training images are) */
  width?: number;
  height?: number;
  /** draw without the scanned look */
  clean?: boolean;
}

const qrCache = new Map<string, { size: number; data: Uint8Array }>();

function qrModules(payload: string): { size: number; data: Uint8Array } {
  let m = qrCache.get(payload);
  if (!m) {
    const q = QRCode.create(payload, { errorCorrectionLevel: 'M' });
    m = { size: q.modules.size, data: Uint8Array.from(q.modules.data as ArrayLike<number>) };
    if (qrCache.size > 256) qrCache.clear();
    qrCache.set(payload, m);
  }
  return m;
}

/** Output size of a page for the options. */
export function outputSize(p: { width: number; height: number }, o: RenderOptions): { w: number; h: number; sx: number; sy: number } {
  if (o.width && o.height) return { w: o.width, h: o.height, sx: o.width / p.width, sy: o.height / p.height };
  const s = o.scale ?? 1;
  const w = Math.max(1, Math.round(p.width * s));
  const h = Math.max(1, Math.round(p.height * s));
  return { w, h, sx: w / p.width, sy: h / p.height };
}

/** Draw one page to a new canvas. */
export function drawPage(page: PageDrawing, o: RenderOptions = {}): Canvas {
  registerFonts();
  const { w, h, sx, sy } = outputSize(page, o);
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  const scan = o.clean ? undefined : page.scan;
  const tint = scan ? Math.round(255 - 14 * scan.tint) : 255;
  const paper = `rgb(${tint},${tint},${Math.max(0, tint - Math.round(6 * (scan?.tint ?? 0)))})`;
  ctx.fillStyle = paper;
  ctx.fillRect(0, 0, w, h);
  ctx.setTransform(sx, 0, 0, sy, 0, 0);
  if (page.rotation) {
    ctx.translate(page.width / 2, page.height / 2);
    ctx.rotate((page.rotation * Math.PI) / 180);
    ctx.translate(-page.width / 2, -page.height / 2);
  }
  // blur below half a pixel does not show (and costs a full filter pass): small images skip it
  const blurPx = scan ? scan.blur * Math.min(sx, sy) : 0;
  const ink = scan ? new Rng(scan.seed) : null;
  const fills = page.graphics.filter((g) => g.kind === 'rect' && g.fill && !g.stroke);
  const stamps = page.graphics.filter((g) => g.kind === 'stamp');
  const others = page.graphics.filter((g) => !fills.includes(g) && g.kind !== 'stamp');
  for (const g of fills) drawGraphic(ctx, g);
  for (const wd of page.words) if (wd.alpha !== undefined) drawWord(ctx, wd, ink, scan);
  for (const g of others) drawGraphic(ctx, g);
  for (const wd of page.words) if (wd.alpha === undefined && !wd.carrier) drawWord(ctx, wd, ink, scan);
  ctx.globalAlpha = 1;
  for (const g of stamps) drawGraphic(ctx, g);
  if (blurPx >= 0.5) {
    // one blur pass over the drawn page, as a scanner's optics blur it (a filter on every draw call costs
    // seconds on a large page); the paper is laid under the blurred copy so the edges stay paper
    const sharp = createCanvas(w, h);
    sharp.getContext('2d').drawImage(canvas, 0, 0);
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = paper;
    ctx.fillRect(0, 0, w, h);
    ctx.filter = `blur(${blurPx.toFixed(3)}px)`;
    ctx.drawImage(sharp, 0, 0);
    ctx.restore();
  }
  if (scan && scan.specks > 0) {
    const r = new Rng(scan.seed ^ 0x5bd1e995);
    const n = Math.round((scan.specks * page.width * page.height) / 10000);
    ctx.fillStyle = '#303030';
    for (let i = 0; i < n; i++) {
      const x = r.float(0, page.width);
      const y = r.float(0, page.height);
      const s = r.float(0.3, 1.1);
      ctx.globalAlpha = r.float(0.2, 0.7);
      ctx.fillRect(x, y, s, s);
    }
    ctx.globalAlpha = 1;
  }
  // leave the canvas in pixel coordinates for whoever draws on it next (overlays, contact sheets)
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  return canvas;
}

function drawWord(ctx: SKRSContext2D, w: LayoutWord, ink: Rng | null, scan?: ScanLook): void {
  ctx.font = cssFont(w.font);
  ctx.fillStyle = w.color;
  let alpha = w.alpha ?? 1;
  if (ink && scan) alpha *= 1 - scan.inkVariation * ink.next() * 0.35;
  ctx.globalAlpha = alpha;
  ctx.fillText(w.text, w.x, w.baseline);
  ctx.globalAlpha = 1;
}

function drawGraphic(ctx: SKRSContext2D, g: Graphic): void {
  ctx.save();
  switch (g.kind) {
    case 'line':
      ctx.strokeStyle = g.color;
      ctx.lineWidth = g.width;
      ctx.setLineDash(g.dash ?? []);
      ctx.beginPath();
      ctx.moveTo(g.x0, g.y0);
      ctx.lineTo(g.x1, g.y1);
      ctx.stroke();
      break;
    case 'rect': {
      const [x0, y0, x1, y1] = g.box;
      if (g.fill) {
        ctx.fillStyle = g.fill;
        if (g.radius) roundRect(ctx, x0, y0, x1 - x0, y1 - y0, g.radius, 'fill');
        else ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
      }
      if (g.stroke) {
        ctx.strokeStyle = g.stroke;
        ctx.lineWidth = g.width ?? 0.6;
        if (g.radius) roundRect(ctx, x0, y0, x1 - x0, y1 - y0, g.radius, 'stroke');
        else ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
      }
      break;
    }
    case 'ellipse': {
      const [x0, y0, x1, y1] = g.box;
      ctx.beginPath();
      ctx.ellipse((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2, 0, 0, Math.PI * 2);
      if (g.fill) {
        ctx.fillStyle = g.fill;
        ctx.fill();
      }
      if (g.stroke) {
        ctx.strokeStyle = g.stroke;
        ctx.lineWidth = g.width ?? 0.6;
        ctx.stroke();
      }
      break;
    }
    case 'qr': {
      const m = qrModules(g.payload);
      const [x0, y0, x1] = g.box;
      const cell = (x1 - x0) / m.size;
      ctx.fillStyle = '#000000';
      for (let r = 0; r < m.size; r++) {
        let c = 0;
        while (c < m.size) {
          if (m.data[r * m.size + c]) {
            let e = c;
            while (e < m.size && m.data[r * m.size + e]) e++;
            // overlap neighbouring modules slightly so no hairline gaps show at fractional scales
            ctx.fillRect(x0 + c * cell, y0 + r * cell, (e - c) * cell, cell + 0.02);
            c = e;
          } else c++;
        }
      }
      break;
    }
    case 'signature':
      drawSignature(ctx, g.box, g.seed, g.color);
      break;
    case 'logo':
      drawLogo(ctx, g.box, g.shape, g.color, g.accent);
      break;
    case 'stamp': {
      const [x0, y0, x1, y1] = g.box;
      const cx = (x0 + x1) / 2;
      const cy = (y0 + y1) / 2;
      ctx.translate(cx, cy);
      ctx.rotate((g.angle * Math.PI) / 180);
      ctx.strokeStyle = g.color;
      ctx.globalAlpha = 0.85;
      // keep the rotated border inside the box
      const a = Math.abs((g.angle * Math.PI) / 180);
      const hw = (x1 - x0) / 2;
      const hh = (y1 - y0) / 2;
      const k = 1 / (Math.cos(a) + Math.sin(a) * Math.max(hw / hh, hh / hw));
      const w = hw * k - 1.5;
      const h = hh * k - 1.5;
      ctx.lineWidth = 1.6;
      if (g.round) {
        ctx.beginPath();
        ctx.ellipse(0, 0, w, h, 0, 0, Math.PI * 2);
        ctx.stroke();
        ctx.lineWidth = 0.7;
        ctx.beginPath();
        ctx.ellipse(0, 0, w - 3, h - 3, 0, 0, Math.PI * 2);
        ctx.stroke();
      } else {
        roundRect(ctx, -w, -h, 2 * w, 2 * h, 3, 'stroke');
        ctx.lineWidth = 0.7;
        roundRect(ctx, -w + 2.5, -h + 2.5, 2 * w - 5, 2 * h - 5, 2, 'stroke');
      }
      break;
    }
    case 'bars': {
      const [x0, y0, x1, y1] = g.box;
      const n = g.values.length;
      const max = Math.max(...g.values, 1e-9);
      const bw = (x1 - x0) / n;
      ctx.fillStyle = g.color;
      g.values.forEach((v, i) => {
        const bh = ((y1 - y0) * v) / max;
        ctx.globalAlpha = i === n - 1 ? 1 : 0.45;
        ctx.fillRect(x0 + i * bw + bw * 0.15, y1 - bh, bw * 0.7, bh);
      });
      ctx.globalAlpha = 1;
      ctx.strokeStyle = '#555555';
      ctx.lineWidth = 0.5;
      ctx.beginPath();
      ctx.moveTo(x0, y1);
      ctx.lineTo(x1, y1);
      ctx.stroke();
      break;
    }
  }
  ctx.restore();
}

function roundRect(ctx: SKRSContext2D, x: number, y: number, w: number, h: number, r: number, mode: 'fill' | 'stroke'): void {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
  if (mode === 'fill') ctx.fill();
  else ctx.stroke();
}

/** A handwritten-looking scribble inside the box: a few connected loops and a flourish. */
function drawSignature(ctx: SKRSContext2D, box: Box, seed: number, color: string): void {
  const r = new Rng(seed);
  const [x0, y0, x1, y1] = box;
  const lw = Math.max(0.8, (y1 - y0) * 0.03);
  const inset = lw + 1;
  const left = x0 + inset;
  const right = x1 - inset;
  const top = y0 + inset;
  const bottom = y1 - inset;
  const mid = (top + bottom) / 2;
  const amp = (bottom - top) / 2;
  ctx.strokeStyle = color;
  ctx.lineWidth = lw;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  const n = r.int(5, 9);
  let x = left;
  let y = mid + r.float(-0.3, 0.3) * amp;
  ctx.moveTo(x, y);
  const step = (right - left) / (n + 1);
  const clampY = (v: number) => Math.min(bottom, Math.max(top, v));
  const clampX = (v: number) => Math.min(right, Math.max(left, v));
  for (let i = 0; i < n; i++) {
    const nx = clampX(x + step * r.float(0.7, 1.3));
    const ny = clampY(mid + r.float(-0.9, 0.9) * amp);
    ctx.bezierCurveTo(
      clampX(x + step * r.float(-0.4, 0.9)),
      clampY(mid - r.float(0.2, 1) * amp),
      clampX(nx - step * r.float(-0.4, 0.9)),
      clampY(mid + r.float(0.2, 1) * amp),
      nx,
      ny,
    );
    x = nx;
    y = ny;
  }
  // flourish underline
  ctx.bezierCurveTo(
    clampX(x + step * 0.5),
    bottom,
    clampX(left + step),
    bottom,
    clampX(left + step * r.float(0.3, 1.2)),
    clampY(bottom - amp * 0.15),
  );
  ctx.stroke();
}

function drawLogo(ctx: SKRSContext2D, box: Box, shape: number, color: string, accent: string): void {
  const [x0, y0, x1, y1] = box;
  const w = x1 - x0;
  const h = y1 - y0;
  const s = Math.min(w, h);
  ctx.fillStyle = color;
  ctx.strokeStyle = color;
  switch (shape % 6) {
    case 0: {
      ctx.beginPath();
      ctx.arc(x0 + s / 2, y0 + s / 2, s / 2, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = accent;
      ctx.beginPath();
      ctx.arc(x0 + s / 2, y0 + s / 2, s / 4.5, 0, Math.PI * 2);
      ctx.fill();
      if (w > s * 1.2) {
        ctx.fillStyle = color;
        ctx.fillRect(x0 + s * 1.15, y0 + h * 0.3, w - s * 1.15, h * 0.16);
        ctx.fillRect(x0 + s * 1.15, y0 + h * 0.58, (w - s * 1.15) * 0.65, h * 0.12);
      }
      break;
    }
    case 1: {
      ctx.beginPath();
      ctx.moveTo(x0, y1);
      ctx.lineTo(x0 + s / 2, y0);
      ctx.lineTo(x0 + s, y1);
      ctx.closePath();
      ctx.fill();
      ctx.fillStyle = accent;
      ctx.beginPath();
      ctx.moveTo(x0 + s * 0.3, y1);
      ctx.lineTo(x0 + s * 0.65, y0 + h * 0.35);
      ctx.lineTo(Math.min(x1, x0 + s * 1.1), y1);
      ctx.closePath();
      ctx.fill();
      break;
    }
    case 2: {
      const n = 4;
      for (let i = 0; i < n; i++) {
        ctx.fillStyle = i % 2 ? accent : color;
        const bh = h / (n * 1.5);
        ctx.fillRect(x0 + (i * w) / 12, y0 + i * bh * 1.5, w - (i * w) / 12, bh);
      }
      break;
    }
    case 3: {
      ctx.beginPath();
      for (let i = 0; i < 6; i++) {
        const a = (Math.PI / 3) * i + Math.PI / 6;
        const px = x0 + s / 2 + (s / 2) * Math.cos(a);
        const py = y0 + s / 2 + (s / 2) * Math.sin(a);
        if (i === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.closePath();
      ctx.fill();
      ctx.fillStyle = accent;
      ctx.fillRect(x0 + s * 0.35, y0 + s * 0.35, s * 0.3, s * 0.3);
      break;
    }
    case 4: {
      ctx.fillRect(x0, y0, s * 0.7, s * 0.7);
      ctx.globalAlpha = 0.8;
      ctx.fillStyle = accent;
      ctx.fillRect(x0 + s * 0.3, y0 + s * 0.3, s * 0.7, s * 0.7);
      ctx.globalAlpha = 1;
      break;
    }
    default: {
      ctx.lineWidth = Math.max(1, s * 0.08);
      roundRect(ctx, x0 + ctx.lineWidth / 2, y0 + ctx.lineWidth / 2, w - ctx.lineWidth, h - ctx.lineWidth, s * 0.2, 'stroke');
      ctx.beginPath();
      ctx.moveTo(x0 + w * 0.15, y0 + h * 0.6);
      ctx.bezierCurveTo(x0 + w * 0.35, y0 + h * 0.2, x0 + w * 0.6, y0 + h * 0.9, x0 + w * 0.85, y0 + h * 0.4);
      ctx.strokeStyle = accent;
      ctx.stroke();
    }
  }
}

/**
 * Draw the words of any document in their boxes (documents not made by the generator: imports,
 * predictions). The font size follows the box height.
 */
export function drawWordsOnly(doc: InvoiceDocument, pageIndex: number, o: RenderOptions = {}): Canvas {
  registerFonts();
  const page = doc.pages[pageIndex];
  const { w, h, sx, sy } = outputSize(page, o);
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, h);
  ctx.setTransform(sx, 0, 0, sy, 0, 0);
  ctx.fillStyle = '#000000';
  for (const wd of doc.words) {
    if (wd.page !== pageIndex) continue;
    const [x0, y0, x1, y1] = wd.box;
    const size = quantizeSize(Math.max(2, (y1 - y0) * 0.95));
    ctx.font = cssFont({ face: 'sans', size });
    ctx.fillText(wd.text, x0, y0 + size * 0.78, Math.max(1, x1 - x0));
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  return canvas;
}
