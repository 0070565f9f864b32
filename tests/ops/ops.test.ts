// Every op method of the GraphBuilder, run in onnxruntime-node (through the project's runtime layer) on seeded
// random inputs, against the independent TypeScript reference in tests/ops/reference: values (float32 to ~1e-5
// relative at optimisation level 'all', float64 to ~1e-12 at level 'disabled'; integers and booleans exactly),
// output dtypes and dims, and the output shapes each graph declares (symbols bound to the fed sizes). Ops ORT
// has no float64 kernel for must fail at session creation in float64, so a change in ORT shows up here.
import {
  compareDeclared,
  compareOutput,
  floatOf,
  runBatch,
  sessionError,
  variantsOf,
  type CaseResult,
  type OpCase,
  type RunOptions,
  type Variant,
} from './harness.js';
import { OP_CASES } from './cases/index.js';

const OPTIONS: Record<'float32' | 'float64', RunOptions> = {
  float32: { optimization: 'all' },
  float64: { optimization: 'disabled' },
};

type Batch = 'float32' | 'float64';
const batchOf = (v: Variant): Batch => (v === 'float64' ? 'float64' : 'float32');

const inBatch = (batch: Batch) =>
  OP_CASES.filter((c) => variantsOf(c).some((v) => batchOf(v) === batch && !(v === 'float64' && c.noFloat64)));

const batches = new Map<Batch, Promise<Map<OpCase, CaseResult>>>();
function results(batch: Batch): Promise<Map<OpCase, CaseResult>> {
  let p = batches.get(batch);
  if (!p) {
    p = runBatch(inBatch(batch), batch, OPTIONS[batch]);
    batches.set(batch, p);
  }
  return p;
}

beforeAll(async () => {
  await Promise.all([results('float32'), results('float64')]);
});

interface Row {
  name: string;
  c: OpCase;
  v: Variant;
}

const rows: Row[] = OP_CASES.flatMap((c) => variantsOf(c).map((v) => ({ name: `${c.method}: ${c.id} [${v}]`, c, v })));

describe('op table: ORT output matches the TypeScript reference, declared shapes match ORT', () => {
  test.each(rows.filter((r) => !(r.v === 'float64' && r.c.noFloat64)))('$name', async ({ c, v }) => {
    const r = (await results(batchOf(v))).get(c);
    if (!r) throw new Error('case missing from its batch');
    if (!r.ok) throw new Error(`${r.stage} failed: ${r.error}`);
    const wantRaw = c.ref(
      r.run.inputs.map((i) => i.ref),
      floatOf(v),
    );
    const want = Array.isArray(wantRaw) ? wantRaw : [wantRaw];
    expect(r.run.outputs.length).toBe(want.length);
    const problems = r.run.outputs.flatMap((got, k) => [
      ...compareOutput(got, want[k], c.tol).map((p) => `output ${k}: ${p}`),
      ...compareDeclared(r.run.declared[k], got, r.run.bindings, c.declared ?? 'full').map((p) => `output ${k} shape: ${p}`),
    ]);
    expect(problems).toEqual([]);
  });
});

describe('ops without a float64 kernel in ORT fail at session creation', () => {
  const noKernel = rows.filter((r) => r.v === 'float64' && r.c.noFloat64);
  test.each(noKernel)('$name', async ({ c }) => {
    const err = await sessionError(c, 'float64', OPTIONS.float64);
    expect(err).not.toBeNull();
    expect(err).toMatch(/Could not find an implementation/);
    expect(err).toContain(c.noFloat64!);
  });
});
