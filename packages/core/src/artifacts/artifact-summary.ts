/**
 * What `hybridoc inspect DIR` reports about an artifact set: the manifest's model, parameters and
 * optimizer, and for every graph the file as it is on disk (size, nodes, inputs, outputs), the structural
 * check, and whether its inputs and outputs are the ones the manifest lists.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { checkModel, formatProblem } from '../onnx/checker.js';
import { loadModel } from '../onnx/serialize.js';
import { summarizeModel } from '../onnx/summary.js';
import { openSafetensors } from '../weights/safetensors.js';
import { isCompleteDirectory } from '../training/atomic-files.js';
import { CHECKPOINT_STEP_KEY, ARTIFACT_GRAPHS, type ArtifactGraphKind } from './graph-names.js';
import { readArtifactManifest, type ArtifactManifest } from './manifest.js';

export interface ArtifactGraphSummary {
  kind: ArtifactGraphKind;
  file: string;
  bytes: number;
  nodes: number;
  inputs: number;
  outputs: number;
  forwardNodes?: number;
  backwardNodes?: number;
  optimizerNodes?: number;
  nodesBeforeOptimization: number;
  /** structural check of the file, and agreement of its inputs/outputs with the manifest */
  problems: string[];
}

export interface ArtifactSetSummary {
  dir: string;
  /** the atomic writer's completion marker is present */
  complete: boolean;
  manifest: ArtifactManifest;
  graphs: ArtifactGraphSummary[];
  checkpoint: { file: string; bytes: number; tensors: number; step: number };
  ok: boolean;
}

export function summarizeArtifactSet(dir: string): ArtifactSetSummary {
  const manifest = readArtifactManifest(dir);
  const graphs = ARTIFACT_GRAPHS.map((kind): ArtifactGraphSummary => {
    const info = manifest.graphs[kind];
    const path = join(dir, info.file);
    const model = loadModel(path);
    const s = summarizeModel(model);
    const problems = checkModel(model).map(formatProblem);
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    const inputs = (model.graph?.input ?? []).map((i) => i.name ?? '');
    const outputs = (model.graph?.output ?? []).map((o) => o.name ?? '');
    if (!same(inputs, info.inputs))
      problems.push(`inputs differ from the manifest's (${inputs.length} in the file, ${info.inputs.length} listed)`);
    if (!same(outputs, info.outputs))
      problems.push(`outputs differ from the manifest's (${outputs.length} in the file, ${info.outputs.length} listed)`);
    return {
      kind,
      file: info.file,
      bytes: statSync(path).size,
      nodes: s.nodeCount,
      inputs: inputs.length,
      outputs: outputs.length,
      forwardNodes: info.forwardNodes,
      backwardNodes: info.backwardNodes,
      optimizerNodes: info.optimizerNodes,
      nodesBeforeOptimization: info.nodesBeforeOptimization,
      problems,
    };
  });
  const ckptPath = join(dir, manifest.checkpoint.file);
  const r = openSafetensors(ckptPath);
  const checkpoint = {
    file: manifest.checkpoint.file,
    bytes: statSync(ckptPath).size,
    tensors: r.names().length,
    step: Number(r.metadata[CHECKPOINT_STEP_KEY] ?? 0),
  };
  return { dir, complete: isCompleteDirectory(dir), manifest, graphs, checkpoint, ok: graphs.every((g) => g.problems.length === 0) };
}
