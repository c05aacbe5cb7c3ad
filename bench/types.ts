/** One measured figure: our path beside a baseline measured in the same run. */
export interface BenchRow {
  metric: string;
  unit: string;
  ours: number;
  baseline: number;
  baselineLabel: string;
}

export interface BenchScenario {
  name: string;
  description: string;
  run(): Promise<BenchRow[]>;
}
