import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

// `hybridoc inspect DIR` reports the parameter count of each head next to the backbone's (issue 7).
describe('inspect an artifact set: parameters per module', () => {
  test('hybrid tiny model: backbone, group head, prototype head and CRF counted separately', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hd-inspect-')), 'art');
    expect(runCli(['build', '--preset', 'tiny', '--out', out]).code).toBe(0);
    const r = runCli(['inspect', out]);
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('parameters by module:'));
    // tiny: hidden 32 -> group 384 -> 20 classes; hidden -> 256 prototype space + 161 x 256 prototypes + scale; CRF rank 2
    expect(line).toContain('backbone 73,184 (52 tensors)');
    expect(line).toMatch(/group [\d,]+ \(4 tensors\)/);
    expect(line).toMatch(/prototype [\d,]+ \(4 tensors\)/);
    expect(line).toContain('crf 1,522');
  });
});
