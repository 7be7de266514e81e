/**
 * AES-256-GCM encryption of integration credentials (node:crypto). The key comes from config
 * (CREDENTIALS_ENCRYPTION_KEY); the database only ever holds ciphertext. The row id is authenticated
 * data, so a ciphertext copied onto another row fails to decrypt. Layout: version(1) | iv(12) | tag(16) | ciphertext.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypts and decrypts credentials with one key. */
export interface CredentialsCipher {
  /** Short fingerprint of the key, stored next to ciphertexts for rotation (not secret). */
  readonly keyId: string;
  encrypt(value: unknown, rowId: string): Buffer;
  decrypt(blob: Buffer, rowId: string): unknown;
}

/** Builds a cipher from the base64 key of the config; throws when it is not 32 bytes. */
export function createCredentialsCipher(base64Key: string): CredentialsCipher {
  const key = Buffer.from(base64Key, 'base64');
  if (key.length !== 32) throw new Error('CREDENTIALS_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
  const keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return {
    keyId,
    encrypt(value, rowId) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(rowId));
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
    },
    decrypt(blob, rowId) {
      if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== VERSION)
        throw new Error('credentials blob has an unknown format');
      const iv = blob.subarray(1, 1 + IV_BYTES);
      const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(rowId));
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as unknown;
    },
  };
}
