// The op table: every case of every group, in one list (one entry per op variant).
import type { OpCase } from '../harness.js';
import { CONTROL_CASES } from './control.js';
import { ELEMENTWISE_CASES } from './elementwise.js';
import { INDEXING_CASES } from './indexing.js';
import { LINALG_CASES } from './linalg.js';
import { REDUCE_CASES } from './reduce.js';
import { SHAPE_CASES } from './shape.js';

export const OP_CASES: readonly OpCase[] = [
  ...ELEMENTWISE_CASES,
  ...REDUCE_CASES,
  ...LINALG_CASES,
  ...SHAPE_CASES,
  ...INDEXING_CASES,
  ...CONTROL_CASES,
];
