import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as economyFlow from '../../lib/flows/economy';
import * as workflows from '../../workflows';

/**
 * Admin balance adjustments happen only through the audited API (POST …/economy/adjustments) and the
 * /economy admin command, each a single ledger transaction: no flow runs them, so nothing a Temporal UI
 * or CLI user can send (a signal, an update, a workflow start) reaches them. This pins that down: should a
 * flow ever run adjustments, it must come with its own forged-signal test.
 */
const root = path.resolve(__dirname, '../..');
const source = (rel: string) => readFileSync(path.join(root, rel), 'utf8');

describe('admin adjustments cannot be reached through Temporal', () => {
  it('the economy defines no signal, update or query: it has no flow to send one to', () => {
    const definitions = Object.entries(economyFlow).filter(([, v]) => typeof v === 'function' || (typeof v === 'object' && v !== null && 'name' in v && 'type' in v));
    expect(definitions).toEqual([]);
  });

  it('no workflow the worker runs calls the adjustment code, nor any activity that could', () => {
    expect(Object.keys(workflows).filter((name) => /adjust|economy/i.test(name))).toEqual([]);
    const files = readdirSync(path.join(root, 'workflows')).filter((f) => f.endsWith('.ts'));
    for (const f of files) expect([f, /adjustBalance|economyAdjust|admin_adjust/.test(source(`workflows/${f}`))]).toEqual([f, false]);
    // The adjustment function is called from the API route and the bot command only, never an activity.
    const activityFiles = readdirSync(path.join(root, 'activities'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('activities.ts'));
    for (const f of activityFiles) expect([f, /adjustBalance\(/.test(source(`activities/${f}`))]).toEqual([f, false]);
  });
});
