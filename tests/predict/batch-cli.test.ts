/**
 * `hybridoc predict` as users run it (the built CLI): a folder mixing good and broken files with a worker
 * pool and --draw; lines on stdout without --out; and a batch killed with SIGKILL, then rerun: every input
 * exactly once in the output, no torn line left.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PredictLine } from '@hybridoc/core';
import { CLI, runCli } from '../support/cli.js';
import { predictFixture, REPO, scratch, writeDocument, type PredictFixture } from './helpers.js';

const PDF_FIXTURES = resolve(REPO, 'tests/fixtures/inputs/pdf');

let fx: PredictFixture;
beforeAll(async () => {
  fx = await predictFixture();
});

const readLines = (file: string): PredictLine[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as PredictLine);

describe('hybridoc predict', () => {
  test('a folder of good and broken files: a line each, errors per file, drawings, summary', () => {
    const dir = scratch('hybridoc-predict-folder-');
    const inputs = join(dir, 'in');
    const small = [...fx.docs].sort((a, b) => a.words.length - b.words.length);
    const good = [writeDocument(fx, small[0], join(dir, 'x.json')), writeDocument(fx, small[1], join(dir, 'y.json'))];
    // native documents and a PDF with a text layer (OCR of images is the inputs module's, tested there)
    const files: Record<string, string | Buffer> = {
      'in/a.json': readFileSync(good[0]),
      'in/sub/b.json': readFileSync(good[1]),
      'in/invoice.pdf': readFileSync(join(PDF_FIXTURES, 'invoice.pdf')),
      // broken: bad JSON, an empty PDF, a corrupt PDF, an encrypted PDF, junk named .png, absurd boxes, a missing page image
      'in/broken.json': '{"id": "x", "pages": [',
      'in/empty.pdf': '',
      'in/corrupt.pdf': '%PDF-1.4\n1 0 obj garbage',
      'in/encrypted.pdf': readFileSync(join(PDF_FIXTURES, 'encrypted.pdf')),
      'in/junk.png': 'not an image at all',
      'in/absurd.json': JSON.stringify({
        id: 'absurd',
        pages: [{ width: 100, height: 100 }],
        words: [{ text: 'x', box: [0, 0, 5000, 10], page: 0 }],
      }),
      'in/noimage.json': JSON.stringify({ ...small[0], pages: small[0].pages.map((p) => ({ ...p, image: 'gone/page.png' })) }),
    };
    for (const [name, body] of Object.entries(files)) {
      const p = join(dir, name);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, body);
    }
    const out = join(dir, 'out.jsonl');
    const draw = join(dir, 'draw');
    const r = runCli(['predict', fx.model, inputs, '--out', out, '--workers', '2', '--draw', draw]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/predict: 3 done, 7 failed of 10 inputs .* 2 workers/);
    const lines = readLines(out);
    expect(lines.map((l) => l.input).sort()).toEqual(
      Object.keys(files)
        .map((f) => join(dir, f))
        .sort(),
    );
    const byName = new Map(lines.map((l) => [l.input.slice(inputs.length + 1), l]));
    for (const name of ['a.json', 'sub/b.json', 'invoice.pdf']) {
      const l = byName.get(name)!;
      expect(l.error).toBeUndefined();
      expect(l.words).toBeGreaterThan(10);
      expect(Array.isArray(l.fields)).toBe(true);
      expect(l.timing!.onnxMs).toBeGreaterThan(0);
      expect(l.drawn).toHaveLength(l.pages!);
      for (const png of l.drawn!) expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    }
    const errors: Record<string, RegExp> = {
      'broken.json': /broken\.json: not valid JSON/,
      'empty.pdf': /empty\.pdf: empty file/,
      'corrupt.pdf': /corrupt\.pdf: /,
      'encrypted.pdf': /encrypted\.pdf: .*(password|encrypted)/i,
      'junk.png': /junk\.png: unsupported content/,
      'absurd.json': /absurd\.json: words\[0\]\.box/,
      'noimage.json': /gone\/page\.png: cannot read page image/,
    };
    for (const [name, re] of Object.entries(errors)) expect(byName.get(name)!.error).toMatch(re);
    expect(readdirSync(draw).filter((f) => f.endsWith('.png')).length).toBe(lines.reduce((s, l) => s + (l.drawn?.length ?? 0), 0));
  });

  test('without --out the lines go to stdout (a glob input) and the summary to stderr', () => {
    const dir = scratch('hybridoc-predict-stdout-');
    writeDocument(fx, fx.docs[0], join(dir, 'one.json'));
    writeDocument(fx, fx.docs[1], join(dir, 'two.json'));
    const r = runCli(['predict', fx.model, join(dir, '*.json'), '--decode', 'argmax', '--labels']);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PredictLine);
    expect(lines.map((l) => l.id).sort()).toEqual([fx.docs[0].id, fx.docs[1].id].sort());
    for (const l of lines) {
      expect(l.decode).toBe('argmax');
      expect(l.labels).toHaveLength(l.words!);
    }
    expect(r.stderr).toMatch(/predict: 2 done, 0 failed of 2 inputs/);
  });

  test('a batch killed with SIGKILL and rerun has every input exactly once and no torn line', async () => {
    const dir = scratch('hybridoc-predict-kill-');
    const inputs = join(dir, 'in');
    mkdirSync(inputs);
    const small = [...fx.docs].sort((a, b) => a.words.length - b.words.length).slice(0, 3);
    const seeds = small.map((d, i) => writeDocument(fx, d, join(dir, `seed${i}.json`)));
    const N = 80;
    for (let i = 0; i < N; i++) copyFileSync(seeds[i % seeds.length], join(inputs, `doc-${String(i).padStart(3, '0')}.json`));
    const out = join(dir, 'out.jsonl');
    const args = [CLI, 'predict', fx.model, inputs, '--out', out, '--workers', '2'];

    const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, HYBRIDOC_LOG_LEVEL: 'warn' }, stdio: 'ignore' });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const lineCount = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 1 : 0);
    const deadline = Date.now() + 60_000;
    while (lineCount() < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    expect(await exited).toBeNull(); // killed, not finished
    const before = readFileSync(out, 'utf8');
    const whole = before.slice(0, before.lastIndexOf('\n') + 1);
    const firstRun = whole.split('\n').filter(Boolean);
    expect(firstRun.length).toBeGreaterThanOrEqual(10);
    expect(firstRun.length).toBeLessThan(N);
    for (const l of firstRun) expect(() => JSON.parse(l)).not.toThrow();
    // as if the kill had landed in the middle of a write
    appendFileSync(out, '{"input":"' + join(inputs, 'doc-079.json').slice(0, 20));
    expect(statSync(out).size).toBeGreaterThan(whole.length);

    const r = runCli([...args.slice(1, -1), '1']); // the rerun with one worker: resuming does not depend on the pool
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`already in ${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    const text = readFileSync(out, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as PredictLine);
    expect(lines).toHaveLength(N);
    expect(new Set(lines.map((l) => l.input)).size).toBe(N);
    expect(lines.filter((l) => l.error)).toEqual([]);
    // the lines of the first run are kept as they were
    expect(text.startsWith(whole)).toBe(true);
  });
});
