import { createHash } from 'node:crypto';
import { midtransSignature, verifyMidtransSignature } from '../../../lib/payments/midtrans-signature';

// Documented formula: SHA512(order_id + status_code + gross_amount + serverKey), hex.
const SERVER_KEY = 'SB-Mid-server-TEST_KEY_123';
const FIELDS = { order_id: 'order-1001', status_code: '200', gross_amount: '10000.00' };
const EXPECTED =
  '5dea435745a01a7b61c1d54b079bd7f7c04a1a8be853ed82ffef3355937bd373f27dbfdf098c3418e1f3524c26530aaa2803b84bd8c30421a1f89e1dc9a52f0a';

const notification = (overrides: Record<string, unknown> = {}) => ({
  transaction_status: 'settlement',
  ...FIELDS,
  signature_key: EXPECTED,
  ...overrides,
});

describe('midtransSignature', () => {
  it('matches the test vector, computed here straight from the documented formula', () => {
    const independent = createHash('sha512').update('order-1001' + '200' + '10000.00' + SERVER_KEY).digest('hex');
    expect(independent).toBe(EXPECTED);
    expect(midtransSignature(FIELDS, SERVER_KEY)).toBe(EXPECTED);
  });

  it('refuses an empty server key instead of signing with it', () => {
    expect(() => midtransSignature(FIELDS, '')).toThrow(/server key is empty/);
    expect(() => verifyMidtransSignature(notification(), '')).toThrow(/server key is empty/);
  });
});

describe('verifyMidtransSignature', () => {
  it('accepts the genuine notification, in either hex case', () => {
    expect(verifyMidtransSignature(notification(), SERVER_KEY)).toBe(true);
    expect(verifyMidtransSignature(notification({ signature_key: EXPECTED.toUpperCase() }), SERVER_KEY)).toBe(true);
  });

  it.each([
    ['amount', { gross_amount: '100000.00' }],
    ['amount without decimals', { gross_amount: '10000' }],
    ['status code', { status_code: '201' }],
    ['order id', { order_id: 'order-1002' }],
  ])('rejects a tampered %s', (_what, overrides) => {
    expect(verifyMidtransSignature(notification(overrides), SERVER_KEY)).toBe(false);
  });

  it('rejects another server key', () => {
    expect(verifyMidtransSignature(notification(), 'SB-Mid-server-OTHER')).toBe(false);
  });

  it.each([
    ['too short', EXPECTED.slice(0, 127)],
    ['too long', `${EXPECTED}0`],
    ['half length', EXPECTED.slice(0, 64)],
    ['not hex', `${EXPECTED.slice(0, 127)}g`],
    ['empty', ''],
  ])('rejects a signature that is %s', (_what, signature_key) => {
    expect(verifyMidtransSignature(notification({ signature_key }), SERVER_KEY)).toBe(false);
  });

  it.each([
    ['no signature', { signature_key: undefined }],
    ['no order id', { order_id: undefined }],
    ['numeric amount', { gross_amount: 10000 }],
    ['numeric status code', { status_code: 200 }],
  ])('rejects a notification with %s', (_what, overrides) => {
    expect(verifyMidtransSignature(notification(overrides), SERVER_KEY)).toBe(false);
  });

  it.each([null, undefined, 'string', 42, []])('rejects %p as a notification', (value) => {
    expect(verifyMidtransSignature(value, SERVER_KEY)).toBe(false);
  });
});
