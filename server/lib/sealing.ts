import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  scrypt,
  type KeyObject,
} from 'node:crypto';
import { Transform } from 'node:stream';
import canonicalize from 'canonicalize';
import { combine, split } from 'shamir-secret-sharing';

// The cryptography of sealed bids (SPEC §4.1, §4.2). A pure module: bytes and streams in, bytes
// and streams out; no database, no file system, no clock.
//
// Key hierarchy:
//   holder passphrase ─scrypt→ wrapping key ─AES-GCM→ holder's X25519 private key (HolderKey)
//   holder public key ←ECIES── one Shamir share of the recruitment's X25519 bid private key
//   bid public key    ←ECIES── a bid's random 32-byte data key
//   data key ─HKDF→ per-file key (AES-GCM stream) and per-label key for declared values
// The server stores only the right-hand sides; opening needs `threshold` holders' passphrases.
//
// Encodings: every byte string in a JSON value is standard padded base64, and must be the
// canonical encoding (decoding is strict, so equal keys always have equal strings). Raw X25519
// keys are 32 bytes. Every AES-256-GCM use has a 12-byte random IV and a 16-byte tag; the tag
// length is pinned on decryption so a truncated tag is refused.
//
// Erasure: buffers this module owns that hold private key bytes, shares or derived keys are
// overwritten with zeros once used. JavaScript cannot guarantee erasure of every copy (KeyObjects,
// OpenSSL contexts, the garbage collector and strings are out of reach); this only narrows the
// window. Private key bytes are therefore never turned into strings here.

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** DER prefixes (RFC 8410) before the 32 raw bytes of an X25519 PKCS#8 private / SPKI public key. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

// ── errors ───────────────────────────────────────────────────────────────────────────────────

export class SealingError extends Error {
  override name = 'SealingError';
}

/** The passphrase does not unwrap the holder key (or the stored key was altered). */
export class WrongPassphraseError extends SealingError {
  override name = 'WrongPassphraseError';
  constructor() {
    super('wrong opening passphrase');
  }
}

export class PassphraseTooShortError extends SealingError {
  override name = 'PassphraseTooShortError';
  constructor() {
    super(`an opening passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
}

/** Authenticated decryption failed: wrong key, wrong context or altered data. */
export class OpenFailedError extends SealingError {
  override name = 'OpenFailedError';
}

/** Fewer shares than any threshold allows (one or none). */
export class ThresholdNotMetError extends SealingError {
  override name = 'ThresholdNotMetError';
  constructor() {
    super('at least two key shares are needed to rebuild the bid key');
  }
}

/** The shares combine to something that is not the recruitment's bid key. */
export class WrongShareError extends SealingError {
  override name = 'WrongShareError';
  constructor() {
    super('the shares do not rebuild the bid key: a share is wrong or repeated, or too few were given');
  }
}

/** A stored value does not have the documented shape. */
export class MalformedSealingDataError extends SealingError {
  override name = 'MalformedSealingDataError';
}

// ── encoding and primitives ──────────────────────────────────────────────────────────────────

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Strict base64: Buffer.from silently skips bad characters, so require the canonical form back. */
function fromBase64(value: string, what: string, length?: number): Buffer {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value || (length !== undefined && bytes.length !== length)) {
    throw new MalformedSealingDataError(`${what} is not valid base64${length ? ` of ${length} bytes` : ''}`);
  }
  return bytes;
}

/** Builds an HKDF info / AAD string; ids may not contain ':' so that no two contexts collide. */
function context(kind: string, ...ids: string[]): string {
  for (const id of ids) {
    if (id === '' || id.includes(':')) throw new RangeError(`invalid id in ${kind} context: ${JSON.stringify(id)}`);
  }
  return [kind, ...ids].join(':');
}

function hkdf(secret: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, salt, info, KEY_BYTES));
}

function assertKey(key: Uint8Array, what: string): void {
  if (key.length !== KEY_BYTES) throw new RangeError(`${what} must be ${KEY_BYTES} bytes`);
}

type GcmBox = { iv: Buffer; ciphertext: Buffer; tag: Buffer };

function decodeBox(value: { iv: string; ciphertext: string; tag: string }): GcmBox {
  return {
    iv: fromBase64(value.iv, 'iv', IV_BYTES),
    ciphertext: fromBase64(value.ciphertext, 'ciphertext'),
    tag: fromBase64(value.tag, 'tag', TAG_BYTES),
  };
}

function gcmEncrypt(key: Uint8Array, plaintext: Uint8Array, aad: string): GcmBox {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Throws (whatever OpenSSL throws) when the tag does not verify; callers map that to their error. */
function gcmDecrypt(key: Uint8Array, box: GcmBox, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, box.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(box.tag);
  return Buffer.concat([decipher.update(box.ciphertext), decipher.final()]);
}

// ── X25519 raw key encoding ──────────────────────────────────────────────────────────────────
// Private keys travel as raw 32 bytes cut from / pasted into PKCS#8 DER (not JWK `d`, which would
// put the secret in an immutable string). The returned array is a plain Uint8Array, the only type
// shamir-secret-sharing accepts (it checks the constructor, so a Buffer is refused).

function exportRawPrivateKey(privateKey: KeyObject): Uint8Array {
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  try {
    const prefix = der.subarray(0, X25519_PKCS8_PREFIX.length);
    if (der.length !== X25519_PKCS8_PREFIX.length + KEY_BYTES || !prefix.equals(X25519_PKCS8_PREFIX)) {
      throw new RangeError('not an X25519 private key');
    }
    return new Uint8Array(der.subarray(X25519_PKCS8_PREFIX.length));
  } finally {
    der.fill(0);
  }
}

function importRawPrivateKey(raw: Uint8Array): KeyObject {
  assertKey(raw, 'an X25519 private key');
  const der = Buffer.concat([X25519_PKCS8_PREFIX, raw]);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

/** the raw 32-byte public key of an X25519 private or public KeyObject */
function rawPublicKeyBytes(key: KeyObject): Buffer {
  const publicKey = key.type === 'public' ? key : createPublicKey(key);
  const der = publicKey.export({ format: 'der', type: 'spki' });
  if (!der.subarray(0, X25519_SPKI_PREFIX.length).equals(X25519_SPKI_PREFIX)) {
    throw new RangeError('not an X25519 key');
  }
  return der.subarray(X25519_SPKI_PREFIX.length);
}

const rawPublicKey = (key: KeyObject): string => rawPublicKeyBytes(key).toString('base64');

function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

// ── holder keys ──────────────────────────────────────────────────────────────────────────────

export const MIN_PASSPHRASE_LENGTH = 12;

export type ScryptParams = { name: 'scrypt'; N: number; r: number; p: number };

/**
 * A key holder's opening key, stored by the server, useless without the passphrase.
 * - publicKey: raw 32-byte X25519 public key.
 * - wrappedPrivateKey: iv (12) ‖ AES-256-GCM ciphertext of the raw 32-byte private key (32) ‖
 *   tag (16); key = scrypt(NFC(passphrase), salt, 32, kdf); AAD = `holder-key:v1:<publicKey>`, so
 *   the private key cannot be paired with a substituted public key.
 * - salt: 16 random bytes, new at every (re)wrap. kdf is stored so it can be raised later.
 */
export type HolderKey = {
  version: 1;
  publicKey: string;
  wrappedPrivateKey: string;
  salt: string;
  kdf: ScryptParams;
};

const CURRENT_KDF: ScryptParams = { name: 'scrypt', N: 2 ** 15, r: 8, p: 1 };

/** Counted in Unicode code points after NFC, so a Chinese passphrase counts its characters. */
export function isAcceptablePassphrase(passphrase: string): boolean {
  return [...passphrase.normalize('NFC')].length >= MIN_PASSPHRASE_LENGTH;
}

function assertAcceptablePassphrase(passphrase: string): void {
  if (!isAcceptablePassphrase(passphrase)) throw new PassphraseTooShortError();
}

function deriveWrappingKey(passphrase: string, salt: Buffer, { N, r, p }: ScryptParams): Promise<Buffer> {
  // scrypt needs about 128·N·r bytes; twice that keeps raised parameters working unchanged
  const options = { N, r, p, maxmem: 2 * 128 * N * r + 128 * r * p };
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const holderKeyAad = (publicKey: string) => `holder-key:v1:${publicKey}`;

async function wrapPrivateKey(raw: Uint8Array, publicKey: string, passphrase: string): Promise<HolderKey> {
  const salt = randomBytes(16);
  const wrappingKey = await deriveWrappingKey(passphrase, salt, CURRENT_KDF);
  try {
    const { iv, ciphertext, tag } = gcmEncrypt(wrappingKey, raw, holderKeyAad(publicKey));
    const wrappedPrivateKey = Buffer.concat([iv, ciphertext, tag]).toString('base64');
    return { version: 1, publicKey, wrappedPrivateKey, salt: salt.toString('base64'), kdf: { ...CURRENT_KDF } };
  } finally {
    wrappingKey.fill(0);
  }
}

/** The raw private key; the caller zeroes it. */
async function unwrapRawPrivateKey(key: HolderKey, passphrase: string): Promise<Buffer> {
  const wrapped = fromBase64(key.wrappedPrivateKey, 'wrappedPrivateKey', IV_BYTES + KEY_BYTES + TAG_BYTES);
  const box = {
    iv: wrapped.subarray(0, IV_BYTES),
    ciphertext: wrapped.subarray(IV_BYTES, IV_BYTES + KEY_BYTES),
    tag: wrapped.subarray(IV_BYTES + KEY_BYTES),
  };
  const wrappingKey = await deriveWrappingKey(passphrase, fromBase64(key.salt, 'salt'), key.kdf);
  try {
    return gcmDecrypt(wrappingKey, box, holderKeyAad(key.publicKey));
  } catch {
    // a failed tag says nothing about why: wrong passphrase and altered record look the same
    throw new WrongPassphraseError();
  } finally {
    wrappingKey.fill(0);
  }
}

export async function createHolderKey(passphrase: string): Promise<HolderKey> {
  assertAcceptablePassphrase(passphrase);
  const pair = generateKeyPairSync('x25519');
  const raw = exportRawPrivateKey(pair.privateKey);
  try {
    return await wrapPrivateKey(raw, rawPublicKey(pair.publicKey), passphrase);
  } finally {
    raw.fill(0);
  }
}

/**
 * The length rule applies when a passphrase is set (create, rewrap), not here: raising
 * MIN_PASSPHRASE_LENGTH later must not lock a holder out of the shares already sealed to them.
 */
export async function unwrapHolderKey(key: HolderKey, passphrase: string): Promise<KeyObject> {
  const raw = await unwrapRawPrivateKey(key, passphrase);
  try {
    return importRawPrivateKey(raw);
  } finally {
    raw.fill(0);
  }
}

/** Same key pair (shares sealed earlier stay openable), new passphrase, new salt, current kdf. */
export async function rewrapHolderKey(key: HolderKey, oldPassphrase: string, newPassphrase: string): Promise<HolderKey> {
  assertAcceptablePassphrase(newPassphrase);
  const raw = await unwrapRawPrivateKey(key, oldPassphrase);
  try {
    return await wrapPrivateKey(raw, key.publicKey, newPassphrase);
  } finally {
    raw.fill(0);
  }
}

// ── sealing to a public key (ECIES over X25519) ──────────────────────────────────────────────

/**
 * plaintext sealed to an X25519 public key:
 *   shared = X25519(ephemeral private, recipient public)
 *   key    = HKDF-SHA256(shared, salt = ephemeralPublicKey ‖ recipientPublicKey (raw), info = context)
 *   AES-256-GCM(key, iv, AAD = context) → ciphertext, tag
 * The context names what is sealed and for whom, so a sealed value cannot be replayed elsewhere.
 */
export type Sealed = { ephemeralPublicKey: string; iv: string; ciphertext: string; tag: string };

function sealingKey(ownPrivate: KeyObject, peerPublic: KeyObject, salt: Buffer, context: string): Buffer {
  const shared = diffieHellman({ privateKey: ownPrivate, publicKey: peerPublic });
  try {
    return hkdf(shared, salt, context);
  } finally {
    shared.fill(0);
  }
}

function assertContext(context: string): void {
  if (context === '') throw new RangeError('a sealing context is required');
}

export interface Sealer {
  seal(plaintext: Uint8Array, context: string): Sealed;
  /** wipes the shared secret */
  dispose(): void;
}

/**
 * Seals values to one recipient with one ephemeral key pair: one X25519 agreement for all of
 * them, then for each value its own key by HKDF over its context and its own random IV, so `open`
 * opens each exactly like a value sealed alone. Where values are sealed in bulk (a batch of bids)
 * this saves a key generation and an agreement per value, the costliest steps.
 */
export function createSealer(recipientPublicKey: string): Sealer {
  const recipientRaw = fromBase64(recipientPublicKey, 'recipient public key', KEY_BYTES);
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralRaw = rawPublicKeyBytes(ephemeral.publicKey);
  const salt = Buffer.concat([ephemeralRaw, recipientRaw]);
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: publicKeyFromRaw(recipientRaw) });
  return {
    seal(plaintext, context) {
      assertContext(context);
      const key = hkdf(shared, salt, context);
      try {
        const { iv, ciphertext, tag } = gcmEncrypt(key, plaintext, context);
        return { ephemeralPublicKey: toBase64(ephemeralRaw), iv: toBase64(iv), ciphertext: toBase64(ciphertext), tag: toBase64(tag) };
      } finally {
        key.fill(0);
      }
    },
    dispose() {
      shared.fill(0);
    },
  };
}

export function seal(plaintext: Uint8Array, recipientPublicKey: string, context: string): Sealed {
  assertContext(context);
  const sealer = createSealer(recipientPublicKey);
  try {
    return sealer.seal(plaintext, context);
  } finally {
    sealer.dispose();
  }
}

/** Throws OpenFailedError for a wrong key, a wrong context or an altered value. */
export function open(sealed: Sealed, recipientPrivateKey: KeyObject, context: string): Buffer {
  assertContext(context);
  const box = decodeBox(sealed);
  const ephemeralRaw = fromBase64(sealed.ephemeralPublicKey, 'ephemeral public key', KEY_BYTES);
  const salt = Buffer.concat([ephemeralRaw, rawPublicKeyBytes(recipientPrivateKey)]);
  const key = sealingKey(recipientPrivateKey, publicKeyFromRaw(ephemeralRaw), salt, context);
  try {
    return gcmDecrypt(key, box, context);
  } catch {
    throw new OpenFailedError(`cannot open the sealed value for ${context}: wrong key, wrong context or altered data`);
  } finally {
    key.fill(0);
  }
}

// ── the recruitment's bid key, split between the key holders ─────────────────────────────────

export type KeyHolder = { holderId: string; publicKey: string };
export type SealedShare = { holderId: string; sealedShare: Sealed };
export type BidKey = { publicKey: string; shares: SealedShare[] };

const shareContext = (recruitmentId: string, holderId: string) => context('bid-key-share', recruitmentId, holderId);

function assertSplit(holders: KeyHolder[], threshold: number): void {
  if (holders.length < 2 || holders.length > 255) throw new RangeError('between 2 and 255 key holders are needed');
  if (new Set(holders.map((holder) => holder.holderId)).size !== holders.length) throw new RangeError('key holders must be distinct');
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > holders.length) {
    throw new RangeError(`threshold must be an integer from 2 to ${holders.length}`);
  }
}

/**
 * Generates the recruitment's X25519 bid key pair and returns its public key and one Shamir share
 * of the raw 32-byte private key per holder (library format: 32 y-bytes ‖ 1 x-coordinate byte),
 * each sealed to that holder with context `bid-key-share:<recruitmentId>:<holderId>`.
 * Invariant: the whole private key leaves this function only as `threshold`-of-n shares.
 */
export async function createBidKey(holders: KeyHolder[], threshold: number, recruitmentId: string): Promise<BidKey> {
  assertSplit(holders, threshold);
  const pair = generateKeyPairSync('x25519');
  const raw = exportRawPrivateKey(pair.privateKey);
  let parts: Uint8Array[] = [];
  try {
    parts = await split(raw, holders.length, threshold);
    // split returns exactly holders.length shares, in order
    const shares = parts.map((part, index) => {
      const { holderId, publicKey } = holders[index]!;
      return { holderId, sealedShare: seal(part, publicKey, shareContext(recruitmentId, holderId)) };
    });
    return { publicKey: rawPublicKey(pair.publicKey), shares };
  } finally {
    raw.fill(0);
    for (const part of parts) part.fill(0);
  }
}

/** A holder's share in clear; throws OpenFailedError if it is not this holder's share of this recruitment. */
export function openShare(sealedShare: Sealed, holderPrivateKey: KeyObject, recruitmentId: string, holderId: string): Buffer {
  return open(sealedShare, holderPrivateKey, shareContext(recruitmentId, holderId));
}

/**
 * Combines shares into the bid private key. Shamir itself cannot tell a wrong result from a right
 * one, so the rebuilt key's public key must equal the recruitment's; anything else is refused
 * rather than returning a key that silently opens nothing.
 */
export async function rebuildBidKey(shares: Uint8Array[], expectedPublicKey: string): Promise<KeyObject> {
  if (shares.length < 2) throw new ThresholdNotMetError();
  // plain copies: the library refuses Buffers, and these copies are ours to zero
  const copies = shares.map((share) => new Uint8Array(share));
  let secret: Uint8Array | undefined;
  try {
    secret = await combine(copies).catch(() => {
      throw new WrongShareError();
    });
    if (secret.length !== KEY_BYTES) throw new WrongShareError();
    const privateKey = importRawPrivateKey(secret);
    if (rawPublicKey(privateKey) !== expectedPublicKey) throw new WrongShareError();
    return privateKey;
  } finally {
    secret?.fill(0);
    for (const copy of copies) copy.fill(0);
  }
}

// ── bid data keys ────────────────────────────────────────────────────────────────────────────

const dataKeyContext = (bidId: string) => context('bid-data-key', bidId);

/** A bid's random data key; every file and declared value of the bid is encrypted under it. */
export function createDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Seals a data key with a sealer to the recruitment's bid public key, context `bid-data-key:<bidId>`. */
export function sealDataKey(dataKey: Buffer, sealer: Sealer, bidId: string): Sealed {
  assertKey(dataKey, 'a data key');
  return sealer.seal(dataKey, dataKeyContext(bidId));
}

export function openDataKey(sealed: Sealed, bidPrivateKey: KeyObject, bidId: string): Buffer {
  const dataKey = open(sealed, bidPrivateKey, dataKeyContext(bidId));
  assertKey(dataKey, 'a data key');
  return dataKey;
}

// ── streaming file encryption ────────────────────────────────────────────────────────────────
// Per file: key = HKDF-SHA256(dataKey, salt = empty, info = `bid-file:<fileId>`), random 12-byte
// IV, AAD = fileId. The plaintext is followed by zero bytes up to paddedSize(size) and all of it
// is encrypted, so the stored file's length tells only its size bucket, and the padding is
// authenticated with the rest. GCM is a stream mode: ciphertext length = padded length; iv and
// tag are stored beside the file, not in it. The transforms keep no data: memory is constant.

/** The smallest stored size: a short document is as long on disk as any other under 64 KiB. */
const MIN_PADDED_SIZE = 64 * 1024;
const ZEROS = Buffer.alloc(MIN_PADDED_SIZE);

/**
 * The length a file of `size` bytes is padded to before encryption: at least 64 KiB, above that
 * Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication with
 * PURBs", 2019): the size rounded up to keep only its top ⌊log2 ⌊log2 size⌋⌋ + 1 bits, which costs
 * at most 12 % (3 % from 64 KiB to 4 GiB) and leaves O(log log size) bits of the size visible.
 * The plaintext's size itself is bound by the sealed manifest and the digest, not by the padding.
 */
export function paddedSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('size must be a byte count');
  if (size <= MIN_PADDED_SIZE) return MIN_PADDED_SIZE;
  const exponent = size.toString(2).length - 1; // ⌊log2 size⌋
  const kept = exponent.toString(2).length; // ⌊log2 exponent⌋ + 1
  const step = 2 ** (exponent - kept);
  return Math.ceil(size / step) * step;
}

export type EncryptedFileResult = { sha256: string; size: number; iv: string; tag: string };
export type DecryptedFileResult = { sha256: string; size: number };

function fileKey(dataKey: Buffer, fileId: string): Buffer {
  assertKey(dataKey, 'a data key');
  return hkdf(dataKey, Buffer.alloc(0), context('bid-file', fileId));
}

function finishedResult<T>(get: () => T | undefined): () => T {
  return () => {
    const value = get();
    if (value === undefined) throw new Error('the stream has not finished');
    return value;
  };
}

/** Pipe the plaintext through `transform`; it emits ciphertext and hashes the plaintext. */
export function createFileEncryptor(dataKey: Buffer, fileId: string): { transform: Transform; result(): EncryptedFileResult } {
  const key = fileKey(dataKey, fileId);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  key.fill(0); // the cipher holds its own copy
  cipher.setAAD(Buffer.from(fileId, 'utf8'));
  const hash = createHash('sha256');
  let size = 0;
  let outcome: EncryptedFileResult | undefined;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, cipher.update(chunk));
    },
    flush(callback) {
      for (let left = paddedSize(size) - size; left > 0; left -= ZEROS.length) {
        this.push(cipher.update(ZEROS.subarray(0, Math.min(left, ZEROS.length))));
      }
      const last = cipher.final();
      outcome = { sha256: hash.digest('hex'), size, iv: toBase64(iv), tag: toBase64(cipher.getAuthTag()) };
      callback(null, last);
    },
  });
  return { transform, result: finishedResult(() => outcome) };
}

/**
 * Pipe the ciphertext through `transform`; it emits the first `size` bytes of plaintext (the size
 * sealed in the manifest) and errors with OpenFailedError at the end if the file, its iv, its tag
 * or its id was altered, or if what follows is not exactly the zero padding of that size (or
 * nothing: files stored before padding existed have none). GCM can
 * only authenticate at the end: output is untrusted until the stream finishes without error, so a
 * consumer writes it somewhere temporary (or to a client told to discard it on error) and acts on
 * it only after `finish`.
 */
export function createFileDecryptor(
  dataKey: Buffer,
  fileId: string,
  iv: string,
  tag: string,
  size: number,
): { transform: Transform; result(): DecryptedFileResult } {
  const padded = paddedSize(size);
  const key = fileKey(dataKey, fileId);
  const decipher = createDecipheriv('aes-256-gcm', key, fromBase64(iv, 'iv', IV_BYTES), { authTagLength: TAG_BYTES });
  key.fill(0);
  decipher.setAAD(Buffer.from(fileId, 'utf8'));
  decipher.setAuthTag(fromBase64(tag, 'tag', TAG_BYTES));
  const hash = createHash('sha256');
  let seen = 0;
  let paddingIsZero = true;
  let outcome: DecryptedFileResult | undefined;
  /** the part of `plain` (starting at byte `seen`) that is the file; the rest must be zeros */
  function take(plain: Buffer): Buffer {
    const own = plain.subarray(0, Math.max(0, Math.min(plain.length, size - seen)));
    if (own.length < plain.length && plain.subarray(own.length).some((byte) => byte !== 0)) paddingIsZero = false;
    seen += plain.length;
    hash.update(own);
    return own;
  }
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, take(decipher.update(chunk)));
    },
    flush(callback) {
      let last: Buffer;
      try {
        last = take(decipher.final());
      } catch {
        callback(new OpenFailedError(`file ${fileId} failed authentication: altered or wrong key`));
        return;
      }
      // files stored before padding existed (opened before migration 0012) have none
      if ((seen !== padded && seen !== size) || !paddingIsZero) {
        callback(new OpenFailedError(`file ${fileId} is not ${size} bytes and its padding: altered or wrong size`));
        return;
      }
      outcome = { sha256: hash.digest('hex'), size };
      callback(null, last);
    },
  });
  return { transform, result: finishedResult(() => outcome) };
}

// ── small declared values ────────────────────────────────────────────────────────────────────

/**
 * JSON.stringify(value) as UTF-8, followed by spaces up to the next multiple of 1 KiB (JSON allows
 * trailing white space, so the padding needs no marker), encrypted with key =
 * HKDF-SHA256(dataKey, salt = empty, info = `bid-fields:<label>`), AAD = the same info. The padding
 * keeps the ciphertext's length from telling a declared share's digits ("40" from "37.5").
 */
export type EncryptedJson = { iv: string; ciphertext: string; tag: string };

const JSON_BUCKET = 1024;

export function encryptJson(value: unknown, dataKey: Buffer, label: string): EncryptedJson {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('the value has no JSON form');
  const info = context('bid-fields', label);
  assertKey(dataKey, 'a data key');
  const bytes = Buffer.byteLength(json, 'utf8');
  const plaintext = Buffer.alloc(Math.ceil(bytes / JSON_BUCKET) * JSON_BUCKET, ' ');
  plaintext.write(json, 'utf8');
  const key = hkdf(dataKey, Buffer.alloc(0), info);
  try {
    const { iv, ciphertext, tag } = gcmEncrypt(key, plaintext, info);
    return { iv: toBase64(iv), ciphertext: toBase64(ciphertext), tag: toBase64(tag) };
  } finally {
    key.fill(0);
  }
}

/** The parsed JSON value, unvalidated: the caller checks its shape. */
export function decryptJson(blob: EncryptedJson, dataKey: Buffer, label: string): unknown {
  const info = context('bid-fields', label);
  assertKey(dataKey, 'a data key');
  const box = decodeBox(blob);
  const key = hkdf(dataKey, Buffer.alloc(0), info);
  try {
    return JSON.parse(gcmDecrypt(key, box, info).toString('utf8'));
  } catch {
    throw new OpenFailedError(`cannot decrypt ${info}: wrong key, wrong label or altered data`);
  } finally {
    key.fill(0);
  }
}

// ── shares entered at an opening ─────────────────────────────────────────────────────────────

/**
 * A holder's opened share, kept between the holders' entries — which may reach different server
 * processes — encrypted with key = HKDF-SHA256(secret, salt = empty, info =
 * `entered-share:<recruitmentId>:<holderId>:<enteredAt in ms>`), AAD = the same info. The secret is
 * the servers', kept outside the database, so the rows alone open nothing; the time of the entry is
 * sealed with it, so a lapsed entry cannot be made usable again by dating it anew (SECURITY.md,
 * "Entered shares").
 */
export function sealEnteredShare(share: Uint8Array, secret: Buffer, recruitmentId: string, holderId: string, enteredAt: Date): EncryptedJson {
  const info = context('entered-share', recruitmentId, holderId, String(enteredAt.getTime()));
  assertKey(secret, 'the entered-share secret');
  const key = hkdf(secret, Buffer.alloc(0), info);
  try {
    const { iv, ciphertext, tag } = gcmEncrypt(key, share, info);
    return { iv: toBase64(iv), ciphertext: toBase64(ciphertext), tag: toBase64(tag) };
  } finally {
    key.fill(0);
  }
}

export function openEnteredShare(blob: EncryptedJson, secret: Buffer, recruitmentId: string, holderId: string, enteredAt: Date): Buffer {
  const info = context('entered-share', recruitmentId, holderId, String(enteredAt.getTime()));
  assertKey(secret, 'the entered-share secret');
  const box = decodeBox(blob);
  const key = hkdf(secret, Buffer.alloc(0), info);
  try {
    return gcmDecrypt(key, box, info);
  } catch {
    throw new OpenFailedError(`cannot decrypt ${info}: wrong secret or altered data`);
  } finally {
    key.fill(0);
  }
}

// ── the bid digest printed on the receipt ────────────────────────────────────────────────────

const SALT_BYTES = 32;

/**
 * A bid version's digest salt: 32 random bytes, standard padded base64. It is sealed in the bid's
 * manifest and given to the bidder on the receipt, and nowhere else: without it the digest, the
 * only value about a bid's contents stored in clear, cannot be tested against guessed contents
 * (a declared share has a few hundred plausible values; 2^256 salts make the search hopeless).
 */
export function createDigestSalt(): string {
  return randomBytes(SALT_BYTES).toString('base64');
}

export type BidDigestInput = {
  files: { name: string; size: number; sha256: string }[];
  fields: unknown;
  recruitmentId: string;
  organizationId: string;
  lot: string;
  version: number;
  receivedAt: string;
  salt: string;
};

/**
 * The digest over a whole bid: lowercase hex SHA-256 of the UTF-8 bytes of the RFC 8785 (JCS)
 * serialisation of exactly
 *   { recruitmentId, organizationId, lot, version, receivedAt, fields,
 *     files: [{ name, size, sha256 }, …], salt }
 * where files keep their order on the receipt (upload position), sha256 is lowercase hex of the
 * file's plaintext, size its byte count, fields are the declared values in clear and salt is the
 * receipt's salt string (base64 of 32 bytes) as is. JCS sorts object keys and fixes number and
 * string forms, so key order never matters; only these members count (extra properties on the
 * inputs are ignored). A bidder recomputes it from the receipt with any JCS library, e.g.
 * `sha256(canonicalize(receipt.digestInput))`.
 */
export function bidDigest(parts: BidDigestInput): string {
  const files = parts.files.map(({ name, size, sha256 }) => {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new RangeError(`file ${name}: sha256 must be 64 lowercase hex digits`);
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`file ${name}: size must be a byte count`);
    return { name, size, sha256 };
  });
  const { recruitmentId, organizationId, lot, version, receivedAt, fields, salt } = parts;
  if (!isCanonicalBase64(salt, SALT_BYTES)) throw new RangeError(`the salt must be ${SALT_BYTES} bytes of base64`);
  const canonical = canonicalize({ recruitmentId, organizationId, lot, version, receivedAt, fields, files, salt });
  if (canonical === undefined) throw new TypeError('the bid has no JSON form');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

function isCanonicalBase64(value: string, length: number): boolean {
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === length && bytes.toString('base64') === value;
}

// ── the sealed manifest of a bid version ─────────────────────────────────────────────────────

/**
 * What a bid version seals besides its declared values: the digest salt and, in upload order,
 * each file's id, name, size and plaintext SHA-256, encrypted under the data key like the declared
 * values (label `manifest`). Nothing of it is stored in clear before the opening.
 */
export type BidManifest = {
  salt: string;
  files: { id: string; name: string; size: number; sha256: string }[];
};

const MANIFEST_LABEL = 'manifest';

export function sealManifest(manifest: BidManifest, dataKey: Buffer): EncryptedJson {
  const { salt, files } = manifest;
  return encryptJson({ salt, files: files.map(({ id, name, size, sha256 }) => ({ id, name, size, sha256 })) }, dataKey, MANIFEST_LABEL);
}

/** Throws OpenFailedError for a wrong key or an altered blob, MalformedSealingDataError for a wrong shape. */
export function openManifest(blob: EncryptedJson, dataKey: Buffer): BidManifest {
  const value = fieldsOf(decryptJson(blob, dataKey, MANIFEST_LABEL), 'manifest');
  const salt = stringField(value, 'salt', 'manifest');
  const list = value.get('files');
  if (!isCanonicalBase64(salt, SALT_BYTES) || !Array.isArray(list)) throw new MalformedSealingDataError('manifest has no salt or no file list');
  const files = list.map((entry: unknown) => {
    const file = fieldsOf(entry, 'manifest file');
    const size = file.get('size');
    const sha256 = stringField(file, 'sha256', 'manifest file');
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || !/^[0-9a-f]{64}$/.test(sha256)) {
      throw new MalformedSealingDataError('manifest file has no valid size or sha256');
    }
    return { id: stringField(file, 'id', 'manifest file'), name: stringField(file, 'name', 'manifest file'), size, sha256 };
  });
  return { salt, files };
}

// ── reading stored values (jsonb columns arrive as unknown) ──────────────────────────────────

function fieldsOf(value: unknown, what: string): Map<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new MalformedSealingDataError(`${what} is not an object`);
  return new Map(Object.entries(value));
}

function stringField(fields: Map<string, unknown>, name: string, what: string): string {
  const value = fields.get(name);
  if (typeof value !== 'string') throw new MalformedSealingDataError(`${what}.${name} is not a string`);
  return value;
}

function positiveInteger(fields: Map<string, unknown>, name: string, what: string): number {
  const value = fields.get(name);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new MalformedSealingDataError(`${what}.${name} is not a positive integer`);
  }
  return value;
}

export function parseSealed(value: unknown): Sealed {
  const fields = fieldsOf(value, 'sealed value');
  const get = (name: string) => stringField(fields, name, 'sealed value');
  return { ephemeralPublicKey: get('ephemeralPublicKey'), iv: get('iv'), ciphertext: get('ciphertext'), tag: get('tag') };
}

export function parseEncryptedJson(value: unknown): EncryptedJson {
  const fields = fieldsOf(value, 'encrypted value');
  const get = (name: string) => stringField(fields, name, 'encrypted value');
  return { iv: get('iv'), ciphertext: get('ciphertext'), tag: get('tag') };
}

export function parseHolderKey(value: unknown): HolderKey {
  const fields = fieldsOf(value, 'holder key');
  const kdf = fieldsOf(fields.get('kdf'), 'holder key kdf');
  if (fields.get('version') !== 1 || kdf.get('name') !== 'scrypt') {
    throw new MalformedSealingDataError('unsupported holder key version or kdf');
  }
  const get = (name: string) => stringField(fields, name, 'holder key');
  const param = (name: string) => positiveInteger(kdf, name, 'holder key kdf');
  return {
    version: 1,
    publicKey: get('publicKey'),
    wrappedPrivateKey: get('wrappedPrivateKey'),
    salt: get('salt'),
    kdf: { name: 'scrypt', N: param('N'), r: param('r'), p: param('p') },
  };
}
