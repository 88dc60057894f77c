import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AgentdError } from '../../core/errors.js';
import './vault-error-codes.js';

/** AES-256-GCM's recommended nonce: 96 bits, random per value (2^-32 collision odds stay far off). */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A value encrypted under one master key. */
export interface SealedValue {
  /** Ciphertext followed by the 16-byte GCM tag. */
  ciphertext: Buffer;
  nonce: Buffer;
}

/**
 * The additional authenticated data of a secret: its name, so a ciphertext copied onto another
 * name (a row swapped in the database) fails to decrypt instead of handing out the wrong secret.
 */
function associatedData(name: string): Buffer {
  return Buffer.from(`agentd-secret:v1:${name}`, 'utf8');
}

/** A short, non-secret fingerprint of a key, stored with each value to tell "wrong key" from "tampered". */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('agentd-vault-key-id:v1:').update(key).digest('hex').slice(0, 16);
}

/** Encrypts `value` for the secret `name` under `key` (32 bytes) with a fresh random nonce. */
export function sealSecret(key: Buffer, name: string, value: string): SealedValue {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(name));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext, nonce };
}

/** Decrypts what {@link sealSecret} made; a wrong key, name or altered byte throws `vault.wrong_key`. */
export function openSecret(key: Buffer, name: string, sealed: SealedValue): string {
  try {
    const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES);
    const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(name));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch (error) {
    // No detail from the cipher: it says nothing useful and the message must never carry bytes.
    throw new AgentdError({
      code: 'vault.wrong_key',
      message: `secret ${name} cannot be decrypted: the master key is not the one it was stored with, or the stored value was altered`,
      cause: error instanceof Error ? new Error(error.message) : undefined,
    });
  }
}
