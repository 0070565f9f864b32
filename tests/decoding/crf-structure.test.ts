import {
  checkCrfParams,
  compileCrf,
  crfDenseLayout,
  crfParamCount,
  crfStepCost,
  crfStructure,
  denseCrfParamCount,
  denseTransitions,
  extendCrfParams,
  GRAPH_FORBIDDEN_SCORE,
  initCrfParams,
  loadLabelSchema,
  parseLabelSchema,
  type CrfParams,
  type CrfStructure,
  type LabelSchema,
} from '@hybridoc/core';
import { SMALL_YAML, smallSchema } from './helpers.js';

/** The header's formula, written out independently of compileCrf. */
function formulaTrans(schema: LabelSchema, s: CrfStructure, p: CrfParams, i: number, j: number): number {
  const C = schema.numGroupClasses;
  const gi = schema.labelToGroup[i];
  const gj = schema.labelToGroup[j];
  const ej = schema.labelToEntity[j];
  const jIsInside = ej >= 0 && schema.bioPairs[ej][1] === j;
  if (jIsInside && i !== schema.bioPairs[ej][0] && i !== j) return -Infinity;
  let v = p['crf.group_transitions'][gi * C + gj];
  if (gi === gj && gi !== schema.outsideGroup && s.rank > 0) {
    const name = schema.groups[gi].name;
    const U = p[`crf.residual_u.${name}`];
    const V = p[`crf.residual_v.${name}`];
    const pi = schema.groupLabels[gi].indexOf(i);
    const pj = schema.groupLabels[gi].indexOf(j);
    for (let k = 0; k < s.rank; k++) v += U[pi * s.rank + k] * V[pj * s.rank + k];
  }
  const idx = s.bioScalars === 'shared' ? 0 : ej;
  if (jIsInside && i === j) v += p['crf.inside_inside'][idx];
  else if (jIsInside) v += p['crf.begin_inside'][idx];
  return v;
}

describe('CRF structure', () => {
  const schema = loadLabelSchema();

  test('parameter names, shapes and count at the default schema against the dense L x L', () => {
    const s = crfStructure(schema, { rank: 2 });
    const C = schema.numGroupClasses;
    const L = schema.numLabels;
    expect(s.params[0]).toMatchObject({ name: 'crf.group_transitions', shape: [C, C] });
    expect(s.params[1]).toMatchObject({ name: 'crf.begin_inside', shape: [schema.numEntities] });
    expect(s.params[2]).toMatchObject({ name: 'crf.inside_inside', shape: [schema.numEntities] });
    expect(s.params.find((p) => p.name === 'crf.residual_u.line_items')!.shape).toEqual([20, 2]);
    expect(s.params.find((p) => p.name === 'crf.residual_v.document_metadata')!.shape).toEqual([14, 2]);
    expect(s.params.some((p) => p.name.endsWith('.outside'))).toBe(false);
    expect(s.params.slice(-2).map((p) => [p.name, p.shape])).toEqual([
      ['crf.start', [L]],
      ['crf.end', [L]],
    ]);
    // 20*20 + 2*80 + 2 * rank * (160 entity-group labels) + 2*161
    expect(crfParamCount(s)).toBe(400 + 160 + 4 * 160 + 322);
    expect(crfParamCount(s)).toBe(1522);
    expect(crfParamCount(crfStructure(schema, { rank: 0, bioScalars: 'shared' }))).toBe(400 + 2 + 322);
    expect(crfParamCount(crfStructure(schema, { rank: 4 }))).toBe(400 + 160 + 8 * 160 + 322);
    expect(denseCrfParamCount(L)).toBe(25921);
    const cost = crfStepCost(s);
    expect(cost.dense).toBe(25921);
    expect(cost.factorised).toBeLessThan(2000);
    expect(cost.factorised).toBeGreaterThan(1500);
  });

  test.each([
    ['small, rank 2, per entity', () => smallSchema(), 2, 'per_entity' as const],
    ['small, rank 0, shared', () => smallSchema(), 0, 'shared' as const],
    ['default schema, rank 3', () => loadLabelSchema(), 3, 'per_entity' as const],
  ])('denseTransitions follows the documented formula (%s)', (_name, make, rank, bioScalars) => {
    const sch = make();
    const s = crfStructure(sch, { rank, bioScalars });
    const p = initCrfParams(s, { seed: 7, randomScale: 1.5 });
    const L = sch.numLabels;
    const trans = denseTransitions(s, p);
    let forbidden = 0;
    let forbiddenMismatch = 0;
    let maxDiff = 0;
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) {
        const want = formulaTrans(sch, s, p, i, j);
        if (want === -Infinity) {
          forbidden++;
          if (trans[i * L + j] !== -Infinity) forbiddenMismatch++;
        } else maxDiff = Math.max(maxDiff, Math.abs(trans[i * L + j] - want));
      }
    }
    expect(forbiddenMismatch).toBe(0);
    expect(maxDiff).toBeLessThan(1e-5);
    // every I-X has exactly two allowed predecessors
    expect(forbidden).toBe(sch.numEntities * (L - 2));
    const compiled = compileCrf(s, p);
    for (const [b, ins] of sch.bioPairs) {
      expect(compiled.start[ins]).toBe(-Infinity);
      expect(compiled.start[b]).toBe(p['crf.start'][b]);
    }
  });

  test('a transition between groups depends only on the two groups (and the BIO rule)', () => {
    const s = crfStructure(schema, { rank: 2 });
    const p = initCrfParams(s, { seed: 3, randomScale: 1 });
    const L = schema.numLabels;
    const C = schema.numGroupClasses;
    const trans = denseTransitions(s, p);
    const seen = new Map<number, number>();
    let differing = 0;
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) {
        const gi = schema.labelToGroup[i];
        const gj = schema.labelToGroup[j];
        if (gi === gj || trans[i * L + j] === -Infinity) continue;
        const key = gi * C + gj;
        if (!seen.has(key)) seen.set(key, trans[i * L + j]);
        if (trans[i * L + j] !== seen.get(key)) differing++;
      }
    }
    expect(differing).toBe(0);
    expect(seen.size).toBe(C * (C - 1));
  });

  test('the gather layout for the graph builder rebuilds the dense matrix', () => {
    for (const [sch, rank, bioScalars] of [
      [schema, 2, 'per_entity'],
      [smallSchema(), 3, 'shared'],
    ] as const) {
      const s = crfStructure(sch, { rank, bioScalars });
      const p = initCrfParams(s, { seed: 11, randomScale: 1 });
      const lay = crfDenseLayout(s);
      const L = sch.numLabels;
      const resid = [0];
      for (const g of s.residualGroups) {
        const n = s.groupLabels[g].length;
        const U = p[`crf.residual_u.${s.groupNames[g]}`];
        const V = p[`crf.residual_v.${s.groupNames[g]}`];
        for (let a = 0; a < n; a++) {
          for (let b = 0; b < n; b++) {
            let v = 0;
            for (let k = 0; k < rank; k++) v += U[a * rank + k] * V[b * rank + k];
            resid.push(v);
          }
        }
      }
      const bi = [0, ...p['crf.begin_inside']];
      const ii = [0, ...p['crf.inside_inside']];
      const want = denseTransitions(s, p, GRAPH_FORBIDDEN_SCORE);
      let maxDiff = 0;
      for (let k = 0; k < L * L; k++) {
        let v = p['crf.group_transitions'][lay.groupPair[k]] + resid[lay.residual[k]] + bi[lay.beginInside[k]] + ii[lay.insideInside[k]];
        if (!lay.allowed[k]) v = GRAPH_FORBIDDEN_SCORE;
        maxDiff = Math.max(maxDiff, Math.abs(want[k] - v));
      }
      expect(maxDiff).toBeLessThan(1e-5);
      expect(lay.allowed.reduce((a, b) => a + b, 0)).toBe(L * L - sch.numEntities * (L - 2));
      for (let l = 0; l < L; l++)
        expect(lay.startAllowed[l]).toBe(sch.labelToEntity[l] >= 0 && sch.bioPairs[sch.labelToEntity[l]][1] === l ? 0 : 1);
    }
  });

  test('initial values: zero transitions, small residual_u, zero residual_v', () => {
    const s = crfStructure(schema, { rank: 2 });
    const p = initCrfParams(s, { seed: 1 });
    const u = p['crf.residual_u.line_items'];
    expect(Math.max(...u.map(Math.abs))).toBeLessThanOrEqual(0.01);
    expect(Math.max(...u.map(Math.abs))).toBeGreaterThan(0);
    expect(p['crf.residual_v.line_items'].every((v) => v === 0)).toBe(true);
    expect(p['crf.group_transitions'].every((v) => v === 0)).toBe(true);
    expect(initCrfParams(s, { seed: 1 })['crf.residual_u.telecom']).toEqual(p['crf.residual_u.telecom']);
  });

  test('bad parameters and options give one clear line', () => {
    const s = crfStructure(smallSchema(), { rank: 2 });
    const p = initCrfParams(s);
    expect(() => checkCrfParams(s, { ...p, 'crf.residual_u.beta': new Float32Array(3) })).toThrow(
      'crf: crf.residual_u.beta: expected 8 values [4, 2], got 3',
    );
    const missing = { ...p };
    delete missing['crf.end'];
    expect(() => compileCrf(s, missing)).toThrow('crf: crf.end: missing');
    expect(() => crfStructure(smallSchema(), { rank: -1 })).toThrow('crf: rank: must be a non-negative integer, got -1');
  });

  test('extendCrfParams (add-label) keeps every old transition and adds the new labels', () => {
    const before = smallSchema();
    const after = parseLabelSchema(`${SMALL_YAML}additions:\n  - { name: B_THREE, group: beta }\n`, 'small+.yaml');
    const s0 = crfStructure(before, { rank: 2 });
    const s1 = crfStructure(after, { rank: 2 });
    const p0 = initCrfParams(s0, { seed: 5, randomScale: 1 });
    const p1 = extendCrfParams(s0, s1, p0);
    checkCrfParams(s1, p1);
    const L0 = before.numLabels;
    const L1 = after.numLabels;
    expect(L1).toBe(L0 + 2);
    const t0 = denseTransitions(s0, p0);
    const t1 = denseTransitions(s1, p1);
    for (let i = 0; i < L0; i++) for (let j = 0; j < L0; j++) expect(t1[i * L1 + j]).toBe(t0[i * L0 + j]);
    const [nb, ni] = after.bioPairs[after.entityIndex.get('B_THREE')!];
    const beta = after.groupIndex.get('beta')!;
    const C = after.numGroupClasses;
    expect(t1[nb * L1 + ni]).toBeCloseTo(
      p1['crf.group_transitions'][beta * C + beta] + (p0['crf.begin_inside'][2] + p0['crf.begin_inside'][3]) / 2,
      5,
    );
    expect(t1[0 * L1 + ni]).toBe(-Infinity);
    expect(() => extendCrfParams(s1, s0, p1)).toThrow('crf: cannot extend parameters');
  });
});
