import { createHash } from 'node:crypto';

/** SHA-256 of some bytes, lowercase hex: how the portal names file and document digests. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
