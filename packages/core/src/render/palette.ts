/**
 * Group colours: one fixed colour per entity-group id, so a group looks the same in every figure, contact
 * sheet and prediction. The first 19 are Kelly's colours of maximum contrast, the most distinct ones on
 * the most common groups (document metadata blue, supplier red, buyer green, totals purple, line items
 * orange); groups past the table (larger schemas) get golden-angle hues. The outside group (O) is never
 * drawn and has no colour.
 */
import type { LabelSchema } from '../schema/label-schema.js';

export type Rgb = [number, number, number];

/** Colours of entity groups 0..18 of the default schema, in group-id order. */
export const GROUP_PALETTE: readonly string[] = [
  '#0067A5', // document_metadata: strong blue
  '#BE0032', // supplier_info: vivid red
  '#008856', // buyer_info: vivid green
  '#875692', // financial_totals: strong purple
  '#F38400', // line_items: vivid orange
  '#E68FAC', // subscription_saas: strong purplish pink
  '#882D17', // telecom: strong reddish brown
  '#8DB600', // logistics: vivid yellowish green
  '#F6A600', // utilities: vivid orange yellow
  '#B3446C', // healthcare: strong purplish red
  '#604E97', // government: strong violet
  '#654522', // manufacturing: deep yellowish brown
  '#2B3D26', // banking: dark olive green
  '#5FA8E0', // accounting: light blue (Kelly's very light blue, darkened to show on white)
  '#E25822', // refunds: reddish orange
  '#848482', // structural: medium grey
  '#A89968', // visual_elements: greyish yellow (darkened)
  '#B5AE00', // retail_pos: vivid greenish yellow (darkened)
  '#F99379', // miscellaneous: strong yellowish pink
];

/** The colour of entity group `groupId` as "#RRGGBB". */
export function groupColor(groupId: number): string {
  if (!Number.isSafeInteger(groupId) || groupId < 0) throw new RangeError(`groupColor: bad group id ${groupId}`);
  if (groupId < GROUP_PALETTE.length) return GROUP_PALETTE[groupId];
  // golden-angle hues at a fixed saturation and lightness, distinct from each other and stable
  const hue = (groupId * 137.508) % 360;
  return rgbToHex(hslToRgb(hue, 0.65, 0.42));
}

/** Colour per group of a schema; null for the outside group. */
export function schemaGroupColors(schema: Pick<LabelSchema, 'groups' | 'outsideGroup'>): Array<string | null> {
  return schema.groups.map((g) => (g.id === schema.outsideGroup ? null : groupColor(g.id)));
}

export function hexToRgb(hex: string): Rgb {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new RangeError(`not a #RRGGBB colour: ${hex}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

export function rgbToHex([r, g, b]: Rgb): string {
  return `#${[r, g, b]
    .map((v) =>
      Math.round(Math.max(0, Math.min(255, v)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')
    .toUpperCase()}`;
}

/** "rgba(r, g, b, a)" of a hex colour. */
export function withAlpha(hex: string, alpha: number): string {
  const [r, g, b] = hexToRgb(hex);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function textColorOn(hex: string): string {
  const lin = hexToRgb(hex).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const l = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  // contrast with white (1.05 / (l + 0.05)) against contrast with black ((l + 0.05) / 0.05)
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#FFFFFF' : '#000000';
}

function hslToRgb(h: number, s: number, l: number): Rgb {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = l - c / 2;
  const [r, g, b] = h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : h < 180 ? [0, c, x] : h < 240 ? [0, x, c] : h < 300 ? [x, 0, c] : [c, 0, x];
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}
