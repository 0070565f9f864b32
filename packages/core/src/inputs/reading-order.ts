/**
 * Reading order for things that carry no order of their own (annotation files list entities by category or
 * id, not as read): rows top to bottom, left to right within a row. An item joins a row when its vertical
 * centre lies inside the extent of the row's first item and that item's centre lies inside its own extent
 * (so a tall item neither swallows the lines beside it nor chains rows together). Stable: items in the same
 * place keep their input order.
 */
import type { Box } from '../documents/document.js';

export function sortByReadingOrder<T>(items: readonly T[], boxOf: (item: T) => Box): T[] {
  const indexed = items.map((item, i) => ({ item, i, box: boxOf(item) }));
  indexed.sort((a, b) => a.box[1] - b.box[1] || a.box[0] - b.box[0] || a.i - b.i);
  const rows: Array<{ top: number; bottom: number; members: typeof indexed }> = [];
  for (const it of indexed) {
    const centre = (it.box[1] + it.box[3]) / 2;
    // join the most recent row (of the last few) whose band holds this item's centre, and vice versa
    let row = null;
    for (let r = rows.length - 1; r >= 0 && r >= rows.length - 3; r--) {
      const rowCentre = (rows[r].top + rows[r].bottom) / 2;
      if (centre >= rows[r].top && centre <= rows[r].bottom && rowCentre >= it.box[1] && rowCentre <= it.box[3]) {
        row = rows[r];
        break;
      }
    }
    if (row) row.members.push(it);
    else rows.push({ top: it.box[1], bottom: it.box[3], members: [it] });
  }
  rows.sort((a, b) => a.top - b.top);
  const out: T[] = [];
  for (const row of rows) {
    row.members.sort((a, b) => a.box[0] - b.box[0] || a.i - b.i);
    for (const m of row.members) out.push(m.item);
  }
  return out;
}

/** The box around several boxes. */
export function unionBox(boxes: readonly Box[]): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const b of boxes) {
    if (b[0] < x0) x0 = b[0];
    if (b[1] < y0) y0 = b[1];
    if (b[2] > x1) x1 = b[2];
    if (b[3] > y1) y1 = b[3];
  }
  return [x0, y0, x1, y1];
}

/** The axis-aligned box around a polygon given as flat [x1, y1, x2, y2, ...] coordinates. */
export function polygonBox(coords: readonly number[]): Box {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i + 1 < coords.length; i += 2) {
    xs.push(coords[i]);
    ys.push(coords[i + 1]);
  }
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}
