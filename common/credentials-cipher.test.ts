import { randomBytes } from 'node:crypto';
import { createCredentialsCipher } from './credentials-cipher';

const key = randomBytes(32).toString('base64');

describe('credentials cipher', () => {
  it('round-trips a value and never stores it in the clear', () => {
    const c = createCredentialsCipher(key);
    const blob = c.encrypt({ apiKey: 'sk-live-secret' }, 'row-1');
    expect(blob.toString('latin1')).not.toContain('sk-live-secret');
    expect(c.decrypt(blob, 'row-1')).toEqual({ apiKey: 'sk-live-secret' });
  });

  it('fails on another row, another key, or a flipped bit', () => {
    const c = createCredentialsCipher(key);
    const blob = c.encrypt({ a: 1 }, 'row-1');
    expect(() => c.decrypt(blob, 'row-2')).toThrow();
    expect(() => createCredentialsCipher(randomBytes(32).toString('base64')).decrypt(blob, 'row-1')).toThrow();
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1] ^= 1;
    expect(() => c.decrypt(tampered, 'row-1')).toThrow();
  });

  it('uses a fresh IV per encryption', () => {
    const c = createCredentialsCipher(key);
    expect(c.encrypt('x', 'r').equals(c.encrypt('x', 'r'))).toBe(false);
  });

  it('rejects a key that is not 32 bytes', () => {
    expect(() => createCredentialsCipher(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
