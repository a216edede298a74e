import crypto from 'node:crypto';

/**
 * Secrets the platform must read back later (webhook signing secrets, mail bodies carrying
 * single-use links or customers' messages) are stored sealed: AES-256-GCM under a key derived from
 * a configured key and the box's purpose, with associated data binding a ciphertext to its row
 * (copied to another row, it does not open). Format: `v1.<iv>.<tag>.<ciphertext>` (base64url),
 * the version naming the key derivation.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(keyMaterial: string, purpose: string) {
    this.key = crypto.createHash('sha256').update(`${purpose}:v1:${keyMaterial}`).digest();
  }

  seal(plaintext: string, associatedData: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  open(sealed: string, associatedData: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('unknown sealed secret format');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}
