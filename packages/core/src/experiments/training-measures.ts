/**
 * Figures of a finished training run that the comparison and the ablations report beside its F1: how smooth
 * its loss curve is, when it reached its best validation F1, and how many parameters its heads have.
 */
import { readArtifactManifest, type ArtifactManifest } from '../artifacts/manifest.js';
import { readMetricsLog } from '../training/metrics-log.js';
import { runPaths } from '../trainer/run-layout.js';

export interface LossSmoothness {
  /** the loss part measured */
  part: string;
  steps: number;
  /** standard deviation of the step-to-step changes of the loss part (lower is smoother) */
  spread: number;
  /** mean of the part over the last tenth of the steps */
  finalMean: number;
  /** the first step where the part's moving average (EMA, weight 0.9) is within 10% of finalMean: convergence speed read off the loss curve, at step resolution */
  stepsToNearFinal: number | null;
}

/** Spread of the step-to-step changes of a loss part (default the entity term) in a run's metrics log. */
export function lossSmoothness(runDir: string, part = 'entity'): LossSmoothness {
  const { steps } = readMetricsLog(runPaths(runDir).metrics);
  const values = steps.map((s) => s.losses[part]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const finalMean = mean(values.slice(-Math.max(1, Math.floor(values.length / 10))));
  return {
    part,
    steps: values.length,
    spread: stepChangeSpread(values),
    finalMean,
    stepsToNearFinal: stepsToWithin(values, finalMean, 0.1),
  };
}

/** The first step (counted from 1) where the EMA (weight `weight`) of `values` is at most (1 + tolerance) x `target`. */
export function stepsToWithin(values: readonly number[], target: number, tolerance: number, weight = 0.9): number | null {
  let ema: number | undefined;
  for (let i = 0; i < values.length; i++) {
    ema = ema === undefined ? values[i] : weight * ema + (1 - weight) * values[i];
    if (ema <= (1 + tolerance) * target) return i + 1;
  }
  return null;
}

/** Standard deviation (population) of x[i+1] - x[i]; NaN for fewer than 2 values. */
export function stepChangeSpread(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const d: number[] = [];
  for (let i = 1; i < values.length; i++) d.push(values[i] - values[i - 1]);
  const m = mean(d);
  return Math.sqrt(mean(d.map((x) => (x - m) ** 2)));
}

function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

export interface ParameterCounts {
  backbone: number;
  /** every head parameter but the CRF's (group + prototype heads, or the standard head's classifier) */
  heads: number;
  crf: number;
  total: number;
}

/** Parameters per part of a model, from its artifact manifest. */
export function parameterCounts(manifest: ArtifactManifest): ParameterCounts {
  const out: ParameterCounts = { backbone: 0, heads: 0, crf: 0, total: 0 };
  for (const p of manifest.parameters) {
    const n = p.shape.reduce((a, d) => a * d, 1);
    out.total += n;
    if (p.module === 'backbone') out.backbone += n;
    else if (p.module === 'crf') out.crf += n;
    else out.heads += n;
  }
  return out;
}

/** Parameter counts of a training run's model. */
export function runParameterCounts(runDir: string): ParameterCounts {
  return parameterCounts(readArtifactManifest(runPaths(runDir).artifacts));
}
