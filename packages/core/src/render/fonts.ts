/**
 * Fonts for figures and annotated pages: DejaVu Sans from the `dejavu-fonts-ttf` npm package, registered
 * explicitly under hybridoc's own family names, so every machine draws the same pixels (no system fonts).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';
import { HybridocError } from '../util/errors.js';

/** Canvas family names of the faces figures use. */
export const RENDER_FONTS = {
  sans: 'hybridoc-render-sans',
  bold: 'hybridoc-render-sans-bold',
  condensed: 'hybridoc-render-sans-condensed',
  mono: 'hybridoc-render-mono',
} as const;

const FILES: Record<keyof typeof RENDER_FONTS, string> = {
  sans: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  condensed: 'DejaVuSansCondensed.ttf',
  mono: 'DejaVuSansMono.ttf',
};

let registered = false;

/** Register the render fonts with the canvas (idempotent). Throws if the font package is missing. */
export function registerRenderFonts(): void {
  if (registered) return;
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  } catch {
    throw new HybridocError('dejavu-fonts-ttf: package not found (run npm install)');
  }
  for (const [face, file] of Object.entries(FILES)) {
    const key = GlobalFonts.registerFromPath(join(dir, file), RENDER_FONTS[face as keyof typeof RENDER_FONTS]);
    if (!key) throw new HybridocError(`${join(dir, file)}: cannot register font`);
  }
  registered = true;
}

/** A CSS font string for the canvas, e.g. font('bold', 12) -> "12px hybridoc-render-sans-bold". */
export function font(face: keyof typeof RENDER_FONTS, sizePx: number): string {
  registerRenderFonts();
  return `${sizePx}px ${RENDER_FONTS[face]}`;
}
