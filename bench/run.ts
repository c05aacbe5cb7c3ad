/**
 * `npm run bench [scenario…]`: runs each scenario, prints a table (ours, baseline, ratio) and writes JSON
 * to bench/results/<scenario>-<timestamp>.json. A benchmark, not a test: figures are reported in notes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dashboardScenario } from './dashboard';
import { cardsMatchingScenario } from './cards-matching';
import { depositsScenario } from './deposits';
import { interactionsScenario } from './interactions';
import { latencyScenario } from './latency';
import { ledgerScenario } from './ledger';
import { ordersScenario } from './orders';
import { scaleScenario } from './scale';
import { startScenario } from './start';
import { tasksScenario } from './tasks';
import { ticketsScenario } from './tickets';
import { transcriptScenario } from './transcript';
import type { BenchRow, BenchScenario } from './types';
import { webhooksScenario } from './webhooks';
import { workerSettingsScenario } from './worker-settings';

const scenarios: BenchScenario[] = [
  startScenario,
  ledgerScenario,
  tasksScenario,
  interactionsScenario,
  ordersScenario,
  webhooksScenario,
  depositsScenario,
  transcriptScenario,
  ticketsScenario,
  latencyScenario,
  workerSettingsScenario,
  scaleScenario,
  dashboardScenario,
  cardsMatchingScenario,
];

function table(rows: BenchRow[]): string {
  const lines = [['metric', 'ours', 'baseline', 'ratio', 'baseline is'], ...rows.map((r) => [
    r.metric,
    `${r.ours.toFixed(1)} ${r.unit}`,
    `${r.baseline.toFixed(1)} ${r.unit}`,
    r.baseline === 0 ? '—' : `${(r.ours / r.baseline).toFixed(2)}×`,
    r.baselineLabel,
  ])];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !scenarios.some((s) => s.name === w));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  const outDir = path.join(__dirname, 'results');
  mkdirSync(outDir, { recursive: true });
  for (const scenario of scenarios.filter((s) => !wanted.length || wanted.includes(s.name))) {
    console.log(`\n## ${scenario.name}: ${scenario.description}`);
    const rows = await scenario.run();
    console.log(table(rows));
    const file = path.join(outDir, `${scenario.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify({ scenario: scenario.name, at: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version }, rows }, null, 2),
    );
    console.log(`(written to ${path.relative(process.cwd(), file)})`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
