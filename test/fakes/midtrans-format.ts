/** Midtrans's wire formats that the fake reproduces: its timestamps and a QRIS payload string. */

const JAKARTA_OFFSET_MS = 7 * 60 * 60 * 1000; // WIB, no daylight saving

/** Midtrans's 'YYYY-MM-DD HH:mm:ss' in Jakarta time. */
export function jakartaTime(date: Date): string {
  return new Date(date.getTime() + JAKARTA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

function tlv(id: string, value: string): string {
  return id + String(value.length).padStart(2, '0') + value;
}

function crc16(text: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** An EMVCo/QRIS-shaped dynamic QR payload (merchant info, amount, order reference, CRC). */
export function qrisString(merchantId: string, transactionId: string, amount: number, orderId: string): string {
  const body =
    tlv('00', '01') +
    tlv('01', '12') +
    tlv('26', tlv('00', 'COM.GO-JEK.WWW') + tlv('01', '936009140000000001') + tlv('02', merchantId) + tlv('03', 'UMI')) +
    tlv('51', tlv('00', 'ID.CO.QRIS.WWW') + tlv('02', 'ID1020000000001') + tlv('03', 'UMI')) +
    tlv('52', '5732') +
    tlv('53', '360') +
    tlv('54', String(amount)) +
    tlv('58', 'ID') +
    tlv('59', 'GUILDFLOW FAKE') +
    tlv('60', 'JAKARTA') +
    tlv('62', tlv('01', orderId) + tlv('05', transactionId.replace(/-/g, '').slice(0, 25))) +
    '6304';
  return body + crc16(body);
}
