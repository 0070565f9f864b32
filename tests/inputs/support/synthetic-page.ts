/**
 * A synthetic invoice page drawn with @napi-rs/canvas in DejaVu Sans (from node_modules/dejavu-fonts-ttf), with
 * a QR symbol from the `qrcode` package (its module matrix, drawn as squares), and the exact box of every word drawn: the ground truth OCR is
 * measured against.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import QRCode from 'qrcode';

const require = createRequire(import.meta.url);

export interface DrawnWord {
  text: string;
  box: [number, number, number, number];
}

export interface SyntheticPage {
  png: Buffer;
  width: number;
  height: number;
  words: DrawnWord[];
  qr: { payload: string; box: [number, number, number, number] };
  rgba: Uint8ClampedArray;
}

export const PAGE_LINES: Array<{ x: number; y: number; text: string }> = [
  { x: 50, y: 70, text: 'INVOICE 2024-0042' },
  { x: 50, y: 130, text: 'Northwind Traders Ltd' },
  { x: 50, y: 170, text: '12 Harbour Road, Bristol' },
  { x: 50, y: 240, text: 'Date: 15 March 2024' },
  { x: 50, y: 310, text: 'Widget large blue 3 x 12.50' },
  { x: 50, y: 350, text: 'Gadget spare parts kit 112.00' },
  { x: 50, y: 420, text: 'Subtotal 149.50' },
  { x: 50, y: 460, text: 'VAT 20% 29.90' },
  { x: 50, y: 520, text: 'Total due EUR 179.40' },
];

export const QR_PAYLOAD = 'https://pay.example/inv/2024-0042?amount=179.40';

export async function drawSyntheticPage(): Promise<SyntheticPage> {
  const fontFile = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSans.ttf');
  if (!GlobalFonts.has('DejaVu Sans')) GlobalFonts.registerFromPath(fontFile, 'DejaVu Sans');
  const width = 1000;
  const height = 620;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000000';
  ctx.font = '26px "DejaVu Sans"';
  ctx.textBaseline = 'alphabetic';
  const words: DrawnWord[] = [];
  const space = ctx.measureText(' ').width;
  for (const line of PAGE_LINES) {
    ctx.fillText(line.text, line.x, line.y);
    let x = line.x;
    for (const w of line.text.split(' ')) {
      const m = ctx.measureText(w);
      words.push({
        text: w,
        box: [
          x - m.actualBoundingBoxLeft,
          line.y - m.actualBoundingBoxAscent,
          x + m.actualBoundingBoxRight,
          line.y + m.actualBoundingBoxDescent,
        ],
      });
      x += m.width + space;
    }
  }
  // the QR symbol, module by module (no quiet zone needed: the page around it is white)
  const modules = QRCode.create(QR_PAYLOAD, { errorCorrectionLevel: 'M' }).modules;
  const scale = 5;
  const qx = 720;
  const qy = 330;
  for (let r = 0; r < modules.size; r++) {
    for (let c = 0; c < modules.size; c++) if (modules.get(r, c)) ctx.fillRect(qx + c * scale, qy + r * scale, scale, scale);
  }
  const side = modules.size * scale;
  const rgba = ctx.getImageData(0, 0, width, height).data;
  return {
    png: canvas.toBuffer('image/png'),
    width,
    height,
    words,
    qr: { payload: QR_PAYLOAD, box: [qx, qy, qx + side, qy + side] },
    rgba: new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength),
  };
}
