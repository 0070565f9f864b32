import { resolve } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runCli, REPO } from '../support/cli.js';

describe('hybridoc CLI', () => {
  test('schema prints the table with 19 groups, 80 entities, 161 labels', () => {
    const r = runCli(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('document_metadata');
    expect(r.stdout).toContain('19 entity groups (+1 outside group for O = 20 group-head classes), 80 entities, 161 labels');
  });

  test('schema --json for scripts, with another schema', () => {
    const r = runCli(['schema', '--json', '--config', resolve(REPO, 'tests/fixtures/schemas/labels-98.yaml')]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.numLabels).toBe(197);
    expect(j.numEntities).toBe(98);
  });

  test('a bad schema file gives one line on stderr and a non-zero exit, no stack trace', () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'hd-'));
    const f = resolve(dir, 'bad.yaml');
    writeFileSync(f, 'name: t\ndomains: [a]\ngroups:\n  - { name: g, entities: [] }\n');
    const r = runCli(['schema', '--config', f]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${f}: groups[0].entities: group "g" is empty`);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  test('an unknown command fails cleanly', () => {
    const r = runCli(['no-such-command']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^hybridoc: /);
  });

  test('demo is a command with its options (the real run is not a test: tests/experiments covers its pipeline)', () => {
    const r = runCli(['demo', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--check');
    expect(r.stdout).toContain('--seed');
  });
});
