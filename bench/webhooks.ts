import { createHash, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { createApp } from '../api/app';
import { createLogger } from '../lib/logger';
import { createPrismaClient } from '../prisma/client';
import { deployMigrations } from '../prisma/migrator';
import { createEmptyDatabase } from '../test/helpers/database';
import { percentile } from './stats';
import type { BenchRow, BenchScenario } from './types';

/**
 * Signed Midtrans notifications through our webhook (raw body, field checks, SHA-512 signature compared in
 * constant time, one INSERT … ON CONFLICT per notification: every one durably recorded before the 200)
 * against a bare Koa endpoint that only parses the JSON, both in this process, CLIENTS concurrent
 * keep-alive clients, alternating rounds. Every notification is a new transaction (no duplicates), and the
 * run checks that as many rows were recorded as 200s were answered. The target: ≥ 0.3× the bare
 * endpoint's notifications/s. (No Temporal here: the signal after the answer is not measured.)
 */
const SECONDS = Number(process.env.BENCH_WEBHOOKS_SECONDS ?? 3);
const ROUNDS = 3;
const CLIENTS = Number(process.env.BENCH_WEBHOOKS_CLIENTS ?? 16);
const SERVER_KEY = 'SB-Mid-server-bench';


/** A signed settlement notification for a new transaction, as Midtrans sends them. */
export function notification(serverKey = SERVER_KEY): string {
  const b: Record<string, string> = {
    transaction_type: 'on-us',
    transaction_time: '2026-11-25 08:00:00',
    transaction_status: 'settlement',
    transaction_id: randomUUID(),
    status_message: 'midtrans payment notification',
    status_code: '200',
    payment_type: 'qris',
    order_id: `bench-${randomUUID().slice(0, 8)}`,
    merchant_id: 'G123456789',
    gross_amount: '10000.00',
    fraud_status: 'accept',
    currency: 'IDR',
  };
  b.signature_key = createHash('sha512').update(`${b.order_id}${b.status_code}${b.gross_amount}${serverKey}`).digest('hex');
  return JSON.stringify(b);
}

/** The baseline: Koa reading and parsing a JSON body (or none) and answering JSON, nothing else. */
export function bareJsonApp(): Koa {
  const app = new Koa();
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const c of ctx.req as AsyncIterable<Buffer>) chunks.push(c);
    const parsed = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}) as { order_id?: string };
    ctx.body = { status: 'recorded', order: parsed.order_id ?? null };
  });
  return app;
}

async function listen(app: Koa): Promise<{ url: string; server: Server }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function drive(url: string, ms: number): Promise<{ latencies: number[]; ok: number }> {
  const latencies: number[] = [];
  let ok = 0;
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        const body = notification();
        const t0 = performance.now();
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
        ok += 1;
      }
    }),
  );
  return { latencies, ok };
}

export const webhooksScenario: BenchScenario = {
  name: 'webhooks',
  description: `signed Midtrans notifications through POST /webhooks/midtrans (recorded durably) vs a bare Koa JSON endpoint, ${CLIENTS} keep-alive clients, ${ROUNDS}×${SECONDS}s each`,
  async run(): Promise<BenchRow[]> {
    const db = await createEmptyDatabase();
    const prisma = createPrismaClient(db.url, { poolSize: 10 });
    const servers: Server[] = [];
    try {
      await deployMigrations(db.url);
      const ours = await listen(createApp({ prisma, log: createLogger({ level: 'silent', pretty: false }), readiness: [], midtransServerKey: SERVER_KEY }));
      const bare = await listen(bareJsonApp());
      servers.push(ours.server, bare.server);
      const oursUrl = `${ours.url}/webhooks/midtrans`;
      await drive(oursUrl, 500);
      await drive(bare.url, 500);
      const all = { ours: [] as number[], bare: [] as number[] };
      const time = { ours: 0, bare: 0 };
      let oursOk = 0;
      for (let r = 0; r < ROUNDS; r++) {
        let t0 = performance.now();
        const o = await drive(oursUrl, SECONDS * 1000);
        time.ours += performance.now() - t0;
        all.ours.push(...o.latencies);
        oursOk += o.ok;
        t0 = performance.now();
        const b = await drive(bare.url, SECONDS * 1000);
        time.bare += performance.now() - t0;
        all.bare.push(...b.latencies);
      }
      const recorded = await prisma.paymentNotification.count();
      // The warm-up's notifications are recorded too.
      if (recorded < oursOk) throw new Error(`${oursOk} notifications answered 200 but only ${recorded} recorded`);
      const s = { ours: [...all.ours].sort((a, b) => a - b), bare: [...all.bare].sort((a, b) => a - b) };
      const label = 'bare Koa endpoint parsing JSON';
      return [
        { metric: `notifications/s (${CLIENTS} clients)`, unit: '/s', ours: (all.ours.length / time.ours) * 1000, baseline: (all.bare.length / time.bare) * 1000, baselineLabel: label },
        { metric: 'latency p50', unit: 'ms', ours: percentile(s.ours, 0.5), baseline: percentile(s.bare, 0.5), baselineLabel: label },
        { metric: 'latency p99', unit: 'ms', ours: percentile(s.ours, 0.99), baseline: percentile(s.bare, 0.99), baselineLabel: label },
      ];
    } finally {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
      await prisma.$disconnect();
      await db.drop();
    }
  },
};
