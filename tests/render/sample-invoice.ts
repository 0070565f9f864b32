/**
 * A small hand-made invoice page for renderer tests: words placed on an A4 page (595 x 842 points) with
 * their gold BIO labels. Word boxes come from a fixed per-character advance, so no font is needed.
 */
import type { Box, InvoiceDocument, Word } from '../../packages/core/src/documents/document.js';

const CHAR_W = 0.55; // advance per character as a fraction of the font size

/** Lay out one line of text as words starting at (x, y) with font size `size`; labels per word. */
function line(x: number, y: number, size: number, text: string, labels: Array<string | undefined> = [], page = 0): Word[] {
  const out: Word[] = [];
  let cx = x;
  text.split(' ').forEach((t, k) => {
    const w = t.length * CHAR_W * size;
    const box: Box = [cx, y, cx + w, y + size * 1.15];
    out.push({ text: t, box, page, label: labels[k] ?? 'O' });
    cx += w + CHAR_W * size;
  });
  return out;
}

const B = (e: string) => `B-${e}`;
const I = (e: string) => `I-${e}`;

export function sampleInvoice(): InvoiceDocument {
  const words: Word[] = [
    ...line(40, 40, 22, 'INVOICE', [B('DOC_TYPE')]),
    ...line(40, 80, 11, 'Acme Widgets GmbH', [B('SUPPLIER_NAME'), I('SUPPLIER_NAME'), I('SUPPLIER_NAME')]),
    ...line(40, 95, 9, 'Hauptstrasse 12, 10115 Berlin', [
      B('SUPPLIER_ADDRESS'),
      I('SUPPLIER_ADDRESS'),
      I('SUPPLIER_ADDRESS'),
      I('SUPPLIER_ADDRESS'),
    ]),
    ...line(40, 108, 9, 'VAT: DE123456789', ['O', B('SUPPLIER_VAT_ID')]),
    ...line(360, 80, 10, 'Invoice no. INV-2024-0042', ['O', 'O', B('INVOICE_NUMBER')]),
    ...line(360, 95, 10, 'Date: 12.03.2024', ['O', B('INVOICE_DATE')]),
    ...line(360, 110, 10, 'Due: 11.04.2024', ['O', B('DUE_DATE')]),
    ...line(360, 125, 10, 'PO: 4500012345', ['O', B('PO_NUMBER')]),
    ...line(40, 160, 10, 'Bill to:'),
    ...line(40, 175, 11, 'Globex Corporation', [B('BUYER_NAME'), I('BUYER_NAME')]),
    ...line(40, 190, 9, '742 Evergreen Terrace, Springfield', [
      B('BUYER_ADDRESS'),
      I('BUYER_ADDRESS'),
      I('BUYER_ADDRESS'),
      I('BUYER_ADDRESS'),
    ]),
    ...line(40, 240, 9, 'Pos Description Qty Price Amount'),
    ...line(40, 258, 9, '1', [B('LINE_NUMBER')]),
    ...line(80, 258, 9, 'Steel widget, large', [B('ITEM_DESCRIPTION'), I('ITEM_DESCRIPTION'), I('ITEM_DESCRIPTION')]),
    ...line(300, 258, 9, '4', [B('QUANTITY')]),
    ...line(360, 258, 9, '25.00', [B('UNIT_PRICE')]),
    ...line(460, 258, 9, '100.00', [B('LINE_TOTAL')]),
    ...line(40, 274, 9, '2', [B('LINE_NUMBER')]),
    ...line(80, 274, 9, 'Assembly service', [B('ITEM_DESCRIPTION'), I('ITEM_DESCRIPTION')]),
    ...line(300, 274, 9, '2', [B('QUANTITY')]),
    ...line(360, 274, 9, '60.00', [B('UNIT_PRICE')]),
    ...line(460, 274, 9, '120.00', [B('LINE_TOTAL')]),
    ...line(360, 320, 10, 'Subtotal 220.00', ['O', B('SUBTOTAL')]),
    ...line(360, 336, 10, 'VAT 19% 41.80', ['O', B('TAX_RATE'), B('TAX')]),
    ...line(360, 354, 12, 'Total EUR 261.80', ['O', B('CURRENCY'), B('TOTAL_AMOUNT')]),
    ...line(40, 420, 9, 'IBAN DE89 3704 0044 0532 0130 00', ['O', B('IBAN'), I('IBAN'), I('IBAN'), I('IBAN'), I('IBAN'), I('IBAN')]),
    ...line(40, 434, 9, 'BIC COBADEFFXXX', ['O', B('SWIFT_CODE')]),
    ...line(40, 460, 9, 'Payable within 30 days net', [
      B('PAYMENT_TERMS'),
      I('PAYMENT_TERMS'),
      I('PAYMENT_TERMS'),
      I('PAYMENT_TERMS'),
      I('PAYMENT_TERMS'),
    ]),
    ...line(40, 780, 8, 'Thank you for your business', [B('NOTES'), I('NOTES'), I('NOTES'), I('NOTES'), I('NOTES')]),
  ];
  return { id: 'sample-0001', domain: 'general', template: 'general/test', pages: [{ width: 595, height: 842 }], words };
}
