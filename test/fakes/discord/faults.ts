import { randomBytes } from 'node:crypto';
import type { RESTRateLimit } from 'discord-api-types/v10';
import type { DenyRule, InjectFault, LatencyRule } from './types';

interface ActiveInject extends Required<Omit<InjectFault, 'method'>> {
  method?: string;
  left: number;
}

/** A canned HTTP response: status, headers and body exactly as Discord (or Cloudflare in front of it) sends them. */
export interface CannedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Faults tests switch on: injected rate limits and server errors, permission denials, latency. Rules are
 * matched against the request path after /api/v10 (e.g. /channels/123/messages) and, when given, the method.
 */
export class Faults {
  private injects: ActiveInject[] = [];
  private denies: DenyRule[] = [];
  private latencies: LatencyRule[] = [];

  inject(fault: InjectFault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`inject: times must be a positive integer, got ${times}`);
    const active: ActiveInject = {
      route: fault.route,
      status: fault.status,
      times,
      retryAfterSeconds: fault.retryAfterSeconds ?? 1,
      global: fault.global ?? false,
      left: times,
    };
    if (fault.method) active.method = fault.method.toUpperCase();
    this.injects.push(active);
  }

  deny(rule: DenyRule): void {
    if (!rule.channelId && !rule.guildId && !rule.route) throw new Error('denyPermission needs channelId, guildId or route');
    this.denies.push({ ...rule, ...(rule.method ? { method: rule.method.toUpperCase() } : {}) });
  }

  setLatency(rule: LatencyRule): void {
    this.latencies.push(rule);
  }

  clear(): void {
    this.injects = [];
    this.denies = [];
    this.latencies = [];
  }

  /** The most recently set latency rule that matches wins, so a test can override a blanket one. */
  latencyFor(route: string): number {
    for (let i = this.latencies.length - 1; i >= 0; i--) {
      const rule = this.latencies[i];
      if (rule && (!rule.route || rule.route.test(route))) return rule.ms;
    }
    return 0;
  }

  /** Consumes one use of the first matching injected fault and returns the response to send instead. */
  takeInjected(method: string, route: string): CannedResponse | undefined {
    const fault = this.injects.find((f) => f.left > 0 && (!f.method || f.method === method) && f.route.test(route));
    if (!fault) return undefined;
    fault.left -= 1;
    this.injects = this.injects.filter((f) => f.left > 0);
    return fault.status === 429 ? rateLimited(fault.retryAfterSeconds, fault.global) : serverError(fault.status);
  }

  /** Whether a rule denies this request: every field a rule sets must match. */
  denied(req: { method: string; route: string; channelId?: string; guildId?: string; authenticated: boolean }): boolean {
    return this.denies.some((rule) => {
      if (rule.method && rule.method !== req.method) return false;
      if (rule.route && !rule.route.test(req.route)) return false;
      // Interaction callbacks and webhook follow-ups need no channel permissions on Discord, so id-only
      // rules leave them alone; a route rule can still target them.
      if (!rule.route && !req.authenticated) return false;
      if (rule.channelId && rule.channelId !== req.channelId) return false;
      if (rule.guildId && rule.guildId !== req.guildId) return false;
      return true;
    });
  }
}

/**
 * A 429 as Discord sends it: JSON body `{ message, retry_after, global }`, `Retry-After` in whole seconds,
 * and either the bucket headers (per-route limit) or `X-RateLimit-Global` (global limit).
 */
function rateLimited(retryAfterSeconds: number, global: boolean): CannedResponse {
  const body: RESTRateLimit = { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global };
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'retry-after': String(Math.ceil(retryAfterSeconds)),
    'x-ratelimit-scope': global ? 'global' : 'user',
  };
  if (global) {
    headers['x-ratelimit-global'] = 'true';
  } else {
    headers['x-ratelimit-limit'] = '5';
    headers['x-ratelimit-remaining'] = '0';
    headers['x-ratelimit-reset'] = ((Date.now() + retryAfterSeconds * 1000) / 1000).toFixed(3);
    headers['x-ratelimit-reset-after'] = retryAfterSeconds.toFixed(3);
    headers['x-ratelimit-bucket'] = randomBytes(16).toString('hex');
  }
  return { status: 429, headers, body: JSON.stringify(body) };
}

/** 500 comes from Discord's API (JSON); 502/503 come from the edge in front of it (HTML). */
function serverError(status: 500 | 502 | 503): CannedResponse {
  if (status === 500) {
    return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: '500: Internal Server Error', code: 0 }) };
  }
  const text = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
  const body = `<html><head><title>${text}</title></head><body><center><h1>${text}</h1></center></body></html>`;
  return { status, headers: { 'content-type': 'text/html' }, body };
}
