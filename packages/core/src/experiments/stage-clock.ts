/**
 * Wall and CPU time of the stages of a long job (the demo, the comparison arms). CPU time is the process's
 * user + system time over every thread (ONNX Runtime's pool included): on a machine other work shares it is
 * the figure that still says what the job costs, and on an otherwise idle machine with N cores the wall time
 * is at least CPU / N and at most the CPU time of the job's serial parts plus its parallel parts / N.
 */

export interface StageTime {
  stage: string;
  wallSeconds: number;
  cpuSeconds: number;
}

export class StageClock {
  readonly stages: StageTime[] = [];
  private readonly wall0 = performance.now();
  private readonly cpu0 = process.cpuUsage();

  /** Run `fn` as one named stage and record its times. */
  async time<T>(stage: string, fn: () => Promise<T> | T): Promise<T> {
    const w = performance.now();
    const c = process.cpuUsage();
    try {
      return await fn();
    } finally {
      const d = process.cpuUsage(c);
      this.stages.push({ stage, wallSeconds: (performance.now() - w) / 1000, cpuSeconds: (d.user + d.system) / 1e6 });
    }
  }

  /** Wall and CPU seconds since the clock was made. */
  total(): { wallSeconds: number; cpuSeconds: number } {
    const d = process.cpuUsage(this.cpu0);
    return { wallSeconds: (performance.now() - this.wall0) / 1000, cpuSeconds: (d.user + d.system) / 1e6 };
  }
}
