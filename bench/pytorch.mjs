#!/usr/bin/env node
// Our training step and inference against PyTorch CPU eager on the same architecture, batch, sequence
// length and thread count (issue 9). The architecture both sides run is our layoutlmv3-standard model: the
// LayoutLMv3 backbone of a preset (dropout on, as the preset sets it) and one Linear to the 161 labels on the
// text tokens, cross-entropy; a training step is forward + backward + global-norm clipping + AdamW, inference
// is the forward pass (ours: the serving export with baked weights; PyTorch: eval mode under inference_mode).
// PyTorch runs Hugging Face's modeling_layoutlmv3.py through scripts/parity/hf_shim.py (Debian's
// python3-torch, /usr/bin/python3); the modeling file is not in this repository (scripts/parity/README.md).
//
// Each side runs in its own process, twice, alternating (ours, PyTorch, ours, PyTorch), and the better
// median of its two runs is kept, so a change in the machine's other load weighs on both. Prints our step
// and inference times as ratios to PyTorch's (below 1: we are faster), by wall time and by CPU time.
//
//   npx tsc -b && node bench/pytorch.mjs --modeling /tmp/hf-008f5c8/modeling_layoutlmv3.py \
//       [--presets tiny,small,base] [--threads 2] [--rounds 3] [--python /usr/bin/python3] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadModelConfig } from '../packages/core/dist/index.js';
import { DEFAULT_SHAPES } from './train-throughput-lib.mjs';

const { values: opt } = parseArgs({
  options: {
    modeling: { type: 'string', default: '/tmp/hf-008f5c8/modeling_layoutlmv3.py' },
    presets: { type: 'string', default: 'tiny,small,base' },
    threads: { type: 'string', default: String(Math.min(2, cpus().length)) },
    rounds: { type: 'string', default: '3' },
    python: { type: 'string', default: '/usr/bin/python3' },
    repeats: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});
if (!existsSync(opt.modeling)) {
  process.stderr.write(
    `pytorch: ${opt.modeling}: no such file; give --modeling PATH to Hugging Face's modeling_layoutlmv3.py (see scripts/parity/README.md)\n`,
  );
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'hybridoc-pytorch-'));

function runJson(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}
const better = (a, b) => (!a || b.medianMs < a.medianMs ? b : a);

const rows = [];
try {
  for (const preset of opt.presets.split(',')) {
    const { batch, seq } = DEFAULT_SHAPES[preset] ?? { batch: 4, seq: 128 };
    const mc = loadModelConfig(preset);
    const { max_text_length: _unused, ...hfConfig } = mc.backbone;
    const configFile = join(tmp, `${preset}.json`);
    writeFileSync(configFile, JSON.stringify(hfConfig));
    const best = { ours: {}, torch: {} };
    let ours;
    let torch;
    for (let k = 0; k < Number(opt.repeats); k++) {
      ours = runJson(process.execPath, [
        join(here, 'train-throughput.mjs'),
        '--child',
        preset,
        '--model',
        'layoutlmv3-standard',
        '--threads',
        opt.threads,
        '--rounds',
        opt.rounds,
        '--shape',
        `${preset}=${batch}x${seq}`,
      ]);
      torch = runJson(opt.python, [
        join(here, 'pytorch-step.py'),
        '--modeling',
        opt.modeling,
        '--config',
        configFile,
        '--batch',
        String(batch),
        '--seq',
        String(seq),
        '--threads',
        opt.threads,
        '--rounds',
        opt.rounds,
      ]);
      for (const [side, x] of [
        ['ours', ours],
        ['torch', torch],
      ]) {
        for (const c of ['trainStep', 'infer']) {
          best[side][c] ??= {};
          best[side][c].wall = better(best[side][c].wall, x[c].wall);
          best[side][c].cpu = better(best[side][c].cpu, x[c].cpu);
        }
      }
      if (!opt.json) process.stderr.write(`pytorch: ${preset}: round ${k + 1} done\n`);
    }
    const ratio = (c, k) => best.ours[c][k].medianMs / best.torch[c][k].medianMs;
    rows.push({
      preset,
      batch,
      seq,
      threads: Number(opt.threads),
      parameters: { ours: ours.parameters.total, torch: torch.parameters },
      ours: best.ours,
      torch: best.torch,
      memory: { oursPeakTrainingRssMB: ours.memory.peakTrainingRssMB, torchPeakTrainingRssMB: torch.peakTrainingRssMB },
      torchVersion: torch.torch,
      ratios: {
        trainStepWall: ratio('trainStep', 'wall'),
        trainStepCpu: ratio('trainStep', 'cpu'),
        inferWall: ratio('infer', 'wall'),
        inferCpu: ratio('infer', 'cpu'),
      },
    });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

if (opt.json) process.stdout.write(JSON.stringify({ cpu: cpus()[0]?.model, cpus: cpus().length, rows }, null, 2) + '\n');
else {
  const out = process.stdout;
  out.write(
    `${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cpus), ${opt.threads} threads each side; layoutlmv3-standard vs HF LayoutLMv3Model + Linear, torch ${rows[0]?.torchVersion}\n`,
  );
  out.write('times are the better median of two alternating runs per side; ratio = ours / PyTorch (below 1: ours is faster)\n\n');
  const f = (x) => x.toFixed(0);
  const head = [
    'preset',
    'batch x seq',
    'params',
    'train ms ours / torch',
    'train CPU ms ours / torch',
    'train ratio wall / CPU',
    'infer ms ours / torch',
    'infer CPU ms ours / torch',
    'infer ratio wall / CPU',
    'peak RSS MB ours / torch',
  ];
  const lines = rows.map((r) => [
    r.preset,
    `${r.batch} x ${r.seq}`,
    `${(r.parameters.ours / 1e6).toFixed(2)}M / ${(r.parameters.torch / 1e6).toFixed(2)}M`,
    `${f(r.ours.trainStep.wall.medianMs)} / ${f(r.torch.trainStep.wall.medianMs)}`,
    `${f(r.ours.trainStep.cpu.medianMs)} / ${f(r.torch.trainStep.cpu.medianMs)}`,
    `${r.ratios.trainStepWall.toFixed(2)} / ${r.ratios.trainStepCpu.toFixed(2)}`,
    `${f(r.ours.infer.wall.medianMs)} / ${f(r.torch.infer.wall.medianMs)}`,
    `${f(r.ours.infer.cpu.medianMs)} / ${f(r.torch.infer.cpu.medianMs)}`,
    `${r.ratios.inferWall.toFixed(2)} / ${r.ratios.inferCpu.toFixed(2)}`,
    `${f(r.memory.oursPeakTrainingRssMB)} / ${f(r.memory.torchPeakTrainingRssMB)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  out.write(head.map((h, i) => h.padEnd(widths[i])).join('  ') + '\n');
  for (const l of lines) out.write(l.map((c, i) => c.padEnd(widths[i])).join('  ') + '\n');
}
