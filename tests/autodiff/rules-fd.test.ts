// Every gradient rule against central finite differences on random inputs (float64 unless ORT lacks a
// double kernel: Erf, Conv and Mean run in float32 with looser tolerances).
import { gradCheck } from './gradcheck.js';
import { RULE_CASES } from './rule-cases.js';

describe('gradient rules match finite differences', () => {
  test.each(RULE_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    expect(await gradCheck(c)).toEqual([]);
  });
});
