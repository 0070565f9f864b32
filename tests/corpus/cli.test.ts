/** The built CLI: generate a small corpus, show it with corpus-stats (tables and a contact sheet PNG), and clean errors. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'hd-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('generate then corpus-stats on a small corpus', () => {
  const out = join(root, 'c');
  const g = runCli(['generate', '--out', out, '--count', '40', '--seed', '3', '--workers', '2', '--shard-size', '20']);
  expect(g.stderr).not.toMatch(/internal error/);
  expect(g.code).toBe(0);
  expect(g.stdout).toMatch(/wrote 40 documents \(\d+ pages, \d+ images\)/);
  expect(existsSync(join(out, 'manifest.json'))).toBe(true);
  const s = runCli(['corpus-stats', out, '--per-family', '1']);
  expect(s.code).toBe(0);
  expect(s.stdout).toMatch(/domain mix\n/);
  expect(s.stdout).toMatch(/^general\s+\d+\s+[\d.]+%\s+40\.00%$/m);
  expect(s.stdout).toMatch(/^INVOICE_NUMBER\s+document_metadata\s+40\s+100\.00%/m);
  expect(s.stdout).toMatch(/\d+ of 80 entities present/);
  expect(s.stdout).toMatch(/contact sheet: .*contact-sheet\.png \(\d+x\d+, \d+ template families\)/);
  const png = readFileSync(join(out, 'contact-sheet.png'));
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.readUInt32BE(16)).toBeGreaterThan(1000);
  const j = runCli(['corpus-stats', out, '--json', '--no-sheet']);
  expect(j.code).toBe(0);
  const parsed = JSON.parse(j.stdout);
  expect(parsed.manifest.counts.documents).toBe(40);
  expect(parsed.contactSheet).toBeNull();
}, 180_000);

test('bad input gives one line and a non-zero exit', () => {
  const a = runCli(['generate', '--out', join(root, 'bad'), '--count', '0']);
  expect(a.code).not.toBe(0);
  expect(a.stderr.trim().split('\n')).toHaveLength(1);
  expect(a.stderr).toMatch(/--count: expected a positive integer/);
  const b = runCli(['corpus-stats', root]);
  expect(b.code).not.toBe(0);
  expect(b.stderr.trim()).toMatch(/manifest\.json: missing; .* is not a corpus directory$/);
});
