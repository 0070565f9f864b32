/** docs/example-service.mjs: started on loopback with a random port, answering posted invoices with fields. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PredictedField } from '@hybridoc/core';
import { predictFixture, REPO, scratch, writeDocument } from './helpers.js';

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
});

/** Start the service; resolves with its URL once it listens. */
function startService(model: string): Promise<string> {
  child = spawn(process.execPath, [resolve(REPO, 'docs/example-service.mjs'), model, '0'], {
    cwd: REPO,
    env: { ...process.env, HYBRIDOC_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res, rej) => {
    let out = '';
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/predict)/.exec(out);
      if (m) res(m[1]);
    });
    child!.on('exit', (code) => rej(new Error(`service exited (${code}): ${stderr}`)));
  });
}

test('the example service answers a posted invoice with its fields, and bad bodies with 400', async () => {
  const fx = await predictFixture();
  const url = await startService(fx.model);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/predict$/);
  const doc = fx.docs[0];
  const body = readFileSync(writeDocument(fx, doc, join(scratch('hybridoc-service-'), 'invoice.json')));

  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(r.status).toBe(200);
  const j = (await r.json()) as { id: string; fields: PredictedField[]; timing: { totalMs: number } };
  expect(j.id).toBe(doc.id);
  expect(Array.isArray(j.fields)).toBe(true);
  for (const f of j.fields)
    expect(Object.keys(f)).toEqual(expect.arrayContaining(['entity', 'group', 'value', 'confidence', 'page', 'box']));
  expect(j.timing.totalMs).toBeGreaterThan(0);

  // concurrent posts: same answers
  const again = await Promise.all([1, 2, 3].map(() => fetch(url, { method: 'POST', body }).then((x) => x.json() as Promise<typeof j>)));
  for (const a of again) expect(a.fields).toEqual(j.fields);

  const bad = await fetch(url, { method: 'POST', body: 'not a document' });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: string }).error).toMatch(/^request body: unsupported content/);
  expect((await fetch(url.replace('/predict', '/'))).status).toBe(404);
});
