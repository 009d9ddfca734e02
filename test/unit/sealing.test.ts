import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import canonicalize from 'canonicalize';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bidDigest,
  createBidKey,
  createDataKey,
  createDigestSalt,
  createFileDecryptor,
  createFileEncryptor,
  createHolderKey,
  decryptJson,
  encryptJson,
  isAcceptablePassphrase,
  MalformedSealingDataError,
  MIN_PASSPHRASE_LENGTH,
  open,
  OpenFailedError,
  openDataKey,
  openManifest,
  openShare,
  paddedSize,
  parseEncryptedJson,
  parseHolderKey,
  parseSealed,
  PassphraseTooShortError,
  rebuildBidKey,
  rewrapHolderKey,
  seal,
  sealDataKey,
  sealManifest,
  createSealer,
  ThresholdNotMetError,
  unwrapHolderKey,
  WrongPassphraseError,
  WrongShareError,
  type BidDigestInput,
  type HolderKey,
  type Sealed,
} from '../../server/lib/sealing.ts';

const PASSPHRASE = 'correct horse battery';
const RECRUITMENT = '11111111-1111-4111-8111-111111111111';
const OTHER_RECRUITMENT = '22222222-2222-4222-8222-222222222222';

/** the 32 raw private bytes, cut from PKCS#8 DER, in every encoding a leak could take */
function rawEncodings(privateKey: KeyObject): string[] {
  const raw = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  return [raw.toString('base64'), raw.toString('base64url'), raw.toString('hex'), raw.toString('base64').slice(0, 20)];
}

function expectNoLeak(value: unknown, privateKey: KeyObject) {
  const json = JSON.stringify(value);
  for (const encoding of rawEncodings(privateKey)) expect(json.toLowerCase()).not.toContain(encoding.toLowerCase());
}

/** one base64 field with one bit of one byte flipped */
function flipByte(base64: string, index = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

type Holder = { holderId: string; key: HolderKey; privateKey: KeyObject };

async function makeHolder(holderId: string): Promise<Holder> {
  const key = await createHolderKey(`${PASSPHRASE} ${holderId}`);
  return { holderId, key, privateKey: await unwrapHolderKey(key, `${PASSPHRASE} ${holderId}`) };
}

const publicOf = (holders: Holder[]) => holders.map(({ holderId, key }) => ({ holderId, publicKey: key.publicKey }));

describe('passphrase rule', () => {
  it('needs at least 12 characters, counted as characters, not bytes', async () => {
    expect(MIN_PASSPHRASE_LENGTH).toBe(12);
    expect(isAcceptablePassphrase('a'.repeat(11))).toBe(false);
    expect(isAcceptablePassphrase('a'.repeat(12))).toBe(true);
    expect(isAcceptablePassphrase('工会职工服务中心开标口令')).toBe(true); // 12 characters
    expect(isAcceptablePassphrase('工会职工服务中心开标口')).toBe(false); // 11 characters, 33 bytes
    await expect(createHolderKey('short')).rejects.toBeInstanceOf(PassphraseTooShortError);
  });
});

describe('holder keys', () => {
  let key: HolderKey;
  beforeAll(async () => {
    key = await createHolderKey(PASSPHRASE);
  });

  it('is plain JSON that reads back, and unwraps to the private key of its public key', async () => {
    const stored = parseHolderKey(JSON.parse(JSON.stringify(key)));
    expect(stored).toEqual(key);
    expect(stored.kdf).toEqual({ name: 'scrypt', N: 2 ** 15, r: 8, p: 1 });
    expect(Buffer.from(stored.salt, 'base64')).toHaveLength(16);
    const privateKey = await unwrapHolderKey(stored, PASSPHRASE);
    expect(open(seal(Buffer.from('hello'), key.publicKey, 'test'), privateKey, 'test').toString()).toBe('hello');
  });

  it('never contains the raw private key', async () => {
    expectNoLeak(key, await unwrapHolderKey(key, PASSPHRASE));
  });

  it('refuses a wrong passphrase with WrongPassphraseError only', async () => {
    const attempt = unwrapHolderKey(key, `${PASSPHRASE}!`);
    await expect(attempt).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(attempt).rejects.toThrow(/^wrong opening passphrase$/);
  });

  it('refuses a record whose public key was swapped for an attacker’s', async () => {
    const attacker = await createHolderKey('attacker passphrase');
    await expect(unwrapHolderKey({ ...key, publicKey: attacker.publicKey }, PASSPHRASE)).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('rewraps the same key pair under a new passphrase and salt; the old passphrase stops working', async () => {
    const before = seal(Buffer.from('share'), key.publicKey, 'ctx');
    const rewrapped = await rewrapHolderKey(key, PASSPHRASE, 'a brand new passphrase');
    expect(rewrapped.publicKey).toBe(key.publicKey);
    expect(rewrapped.salt).not.toBe(key.salt);
    expect(rewrapped.wrappedPrivateKey).not.toBe(key.wrappedPrivateKey);
    await expect(unwrapHolderKey(rewrapped, PASSPHRASE)).rejects.toBeInstanceOf(WrongPassphraseError);
    const privateKey = await unwrapHolderKey(rewrapped, 'a brand new passphrase');
    expect(open(before, privateKey, 'ctx').toString()).toBe('share');
  });

  it('does not rewrap with a wrong old passphrase or a short new one', async () => {
    await expect(rewrapHolderKey(key, 'not the passphrase', 'a brand new passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(rewrapHolderKey(key, PASSPHRASE, 'short')).rejects.toBeInstanceOf(PassphraseTooShortError);
  });

  it('refuses a malformed stored record', () => {
    expect(() => parseHolderKey({ ...key, version: 2 })).toThrow(MalformedSealingDataError);
    expect(() => parseHolderKey({ ...key, kdf: { name: 'scrypt', N: 'big', r: 8, p: 1 } })).toThrow(MalformedSealingDataError);
    expect(() => parseHolderKey(null)).toThrow(MalformedSealingDataError);
  });
});

describe('seal and open', () => {
  let alice: Holder;
  let mallory: Holder;
  let sealed: Sealed;
  beforeAll(async () => {
    [alice, mallory] = await Promise.all([makeHolder('alice'), makeHolder('mallory')]);
    sealed = seal(Buffer.from('data key bytes'), alice.key.publicKey, 'bid-data-key:b1');
  });

  it('round-trips through JSON', () => {
    const stored = parseSealed(JSON.parse(JSON.stringify(sealed)));
    expect(open(stored, alice.privateKey, 'bid-data-key:b1').toString()).toBe('data key bytes');
  });

  it('uses a fresh ephemeral key and IV every time', () => {
    const again = seal(Buffer.from('data key bytes'), alice.key.publicKey, 'bid-data-key:b1');
    expect(again.ephemeralPublicKey).not.toBe(sealed.ephemeralPublicKey);
    expect(again.ciphertext).not.toBe(sealed.ciphertext);
  });

  it('a sealer seals many values with one ephemeral key, each opened alone, each bound to its context', () => {
    const sealer = createSealer(alice.key.publicKey);
    const first = sealer.seal(Buffer.from('first'), 'bid-data-key:b1');
    const second = sealer.seal(Buffer.from('second'), 'bid-data-key:b2');
    const repeated = sealer.seal(Buffer.from('first'), 'bid-data-key:b1');
    sealer.dispose();
    expect(second.ephemeralPublicKey).toBe(first.ephemeralPublicKey);
    expect(repeated.iv).not.toBe(first.iv);
    expect(repeated.ciphertext).not.toBe(first.ciphertext);
    expect(open(first, alice.privateKey, 'bid-data-key:b1').toString()).toBe('first');
    expect(open(second, alice.privateKey, 'bid-data-key:b2').toString()).toBe('second');
    expect(() => open(second, alice.privateKey, 'bid-data-key:b1')).toThrow(OpenFailedError);
    expect(() => open(first, mallory.privateKey, 'bid-data-key:b1')).toThrow(OpenFailedError);
  });

  it('refuses the wrong key and the wrong context', () => {
    expect(() => open(sealed, mallory.privateKey, 'bid-data-key:b1')).toThrow(OpenFailedError);
    expect(() => open(sealed, alice.privateKey, 'bid-data-key:b2')).toThrow(OpenFailedError);
  });

  it.each(['ephemeralPublicKey', 'iv', 'ciphertext', 'tag'] as const)('refuses an altered %s', (field) => {
    expect(() => open({ ...sealed, [field]: flipByte(sealed[field]) }, alice.privateKey, 'bid-data-key:b1')).toThrow();
  });

  it('refuses a truncated tag rather than checking fewer bits', () => {
    const short = Buffer.from(sealed.tag, 'base64').subarray(0, 4).toString('base64');
    expect(() => open({ ...sealed, tag: short }, alice.privateKey, 'bid-data-key:b1')).toThrow(MalformedSealingDataError);
  });

  it('refuses a recipient key that is not 32 bytes of canonical base64', () => {
    expect(() => seal(Buffer.from('x'), 'AAAA', 'ctx')).toThrow(MalformedSealingDataError);
    expect(() => seal(Buffer.from('x'), `${alice.key.publicKey}!`, 'ctx')).toThrow(MalformedSealingDataError);
  });
});

describe('bid key split between holders', () => {
  let agent: Holder;
  let inspector: Holder;
  let escrow: Holder;
  beforeAll(async () => {
    [agent, inspector, escrow] = await Promise.all([makeHolder('agent'), makeHolder('inspector'), makeHolder('escrow')]);
  });

  const openAll = (bidKey: Awaited<ReturnType<typeof createBidKey>>, holders: Holder[], recruitmentId = RECRUITMENT) =>
    holders.map((holder) => {
      const entry = bidKey.shares.find((share) => share.holderId === holder.holderId);
      if (!entry) throw new Error(`no share for ${holder.holderId}`);
      return openShare(entry.sealedShare, holder.privateKey, recruitmentId, holder.holderId);
    });

  async function expectOpensBids(bidKey: { publicKey: string }, shares: Uint8Array[]) {
    const privateKey = await rebuildBidKey(shares, bidKey.publicKey);
    const dataKey = createDataKey();
    expect(openDataKey(sealDataKey(dataKey, createSealer(bidKey.publicKey), 'bid-1'), privateKey, 'bid-1')).toEqual(dataKey);
    return privateKey;
  }

  it('2-of-2: both shares rebuild the key, one alone does not', async () => {
    const bidKey = await createBidKey(publicOf([agent, inspector]), 2, RECRUITMENT);
    expect(bidKey.shares.map((share) => share.holderId)).toEqual(['agent', 'inspector']);
    const [agentShare, inspectorShare] = openAll(bidKey, [agent, inspector]);
    const privateKey = await expectOpensBids(bidKey, [inspectorShare!, agentShare!]);
    expectNoLeak(bidKey, privateKey);
    await expect(rebuildBidKey([agentShare!], bidKey.publicKey)).rejects.toBeInstanceOf(ThresholdNotMetError);
    await expect(rebuildBidKey([], bidKey.publicKey)).rejects.toBeInstanceOf(ThresholdNotMetError);
  });

  it('2-of-3: any two shares rebuild the key, one alone does not', async () => {
    const bidKey = await createBidKey(publicOf([agent, inspector, escrow]), 2, RECRUITMENT);
    const [a, i, e] = openAll(bidKey, [agent, inspector, escrow]);
    for (const pair of [[a!, i!], [a!, e!], [i!, e!]]) await expectOpensBids(bidKey, pair);
    await expectOpensBids(bidKey, [a!, i!, e!]);
    await expect(rebuildBidKey([e!], bidKey.publicKey)).rejects.toBeInstanceOf(ThresholdNotMetError);
  });

  it('3-of-3: two shares give a wrong key, which is refused instead of returned', async () => {
    const bidKey = await createBidKey(publicOf([agent, inspector, escrow]), 3, RECRUITMENT);
    const [a, i] = openAll(bidKey, [agent, inspector]);
    await expect(rebuildBidKey([a!, i!], bidKey.publicKey)).rejects.toBeInstanceOf(WrongShareError);
  });

  it('refuses a share of another recruitment, a repeated share and an altered share', async () => {
    const holders = publicOf([agent, inspector]);
    const mine = await createBidKey(holders, 2, RECRUITMENT);
    const other = await createBidKey(holders, 2, OTHER_RECRUITMENT);
    const [agentShare, inspectorShare] = openAll(mine, [agent, inspector]);
    const [, foreignShare] = openAll(other, [agent, inspector], OTHER_RECRUITMENT);
    await expect(rebuildBidKey([agentShare!, foreignShare!], mine.publicKey)).rejects.toBeInstanceOf(WrongShareError);
    await expect(rebuildBidKey([agentShare!, agentShare!], mine.publicKey)).rejects.toBeInstanceOf(WrongShareError);
    // not byte 0: X25519 clamps the low bits of the key's first byte, so a change that lands only
    // there rebuilds an equivalent key (the same public key) and would pass now and then
    const altered = Buffer.from(inspectorShare!);
    altered[5] = (altered[5] ?? 0) ^ 1;
    await expect(rebuildBidKey([agentShare!, altered], mine.publicKey)).rejects.toBeInstanceOf(WrongShareError);
    await expect(rebuildBidKey([agentShare!, inspectorShare!], other.publicKey)).rejects.toBeInstanceOf(WrongShareError);
  });

  it('binds each sealed share to its recruitment and its holder', async () => {
    const bidKey = await createBidKey(publicOf([agent, inspector]), 2, RECRUITMENT);
    const agentEntry = bidKey.shares[0]!;
    expect(() => openShare(agentEntry.sealedShare, agent.privateKey, OTHER_RECRUITMENT, 'agent')).toThrow(OpenFailedError);
    // a share moved to another holder's row cannot be opened there, even by its own key
    expect(() => openShare(agentEntry.sealedShare, agent.privateKey, RECRUITMENT, 'inspector')).toThrow(OpenFailedError);
    expect(() => openShare(agentEntry.sealedShare, inspector.privateKey, RECRUITMENT, 'agent')).toThrow(OpenFailedError);
    expect(() => open(agentEntry.sealedShare, agent.privateKey, `bid-key-share:${RECRUITMENT}:agent`)).not.toThrow();
  });

  it('refuses a threshold below 2 or above the number of holders, and duplicate holders', async () => {
    const holders = publicOf([agent, inspector]);
    await expect(createBidKey(holders, 1, RECRUITMENT)).rejects.toThrow(RangeError);
    await expect(createBidKey(holders, 3, RECRUITMENT)).rejects.toThrow(RangeError);
    await expect(createBidKey([holders[0]!, holders[0]!], 2, RECRUITMENT)).rejects.toThrow(RangeError);
    await expect(createBidKey(holders, 2, 'with:colon')).rejects.toThrow(RangeError);
  });
});

describe('bid data key', () => {
  it('is opened only for the bid it was sealed for', async () => {
    const holder = await makeHolder('h');
    const dataKey = createDataKey();
    const sealer = createSealer(holder.key.publicKey);
    const sealed = sealDataKey(dataKey, sealer, 'bid-1');
    expect(openDataKey(sealed, holder.privateKey, 'bid-1')).toEqual(dataKey);
    expect(() => openDataKey(sealed, holder.privateKey, 'bid-2')).toThrow(OpenFailedError);
    expect(() => sealDataKey(randomBytes(16), sealer, 'bid-1')).toThrow(RangeError);
  });
});

describe('streaming file encryption', () => {
  const MARKER = Buffer.from('MARKER-3f9c1e7a-unique-plaintext-marker');
  const CHUNK = 64 * 1024;
  const CHUNKS = 128; // 8 MiB

  /** 8 MiB of random chunks with the marker inside one of them, hashed as generated, never held whole */
  function plaintextSource() {
    const hash = createHash('sha256');
    let doneAfter: (() => void) | undefined;
    async function* generate() {
      for (let index = 0; index < CHUNKS; index += 1) {
        const chunk = randomBytes(CHUNK);
        if (index === 37) MARKER.copy(chunk, 1000);
        hash.update(chunk);
        yield chunk;
      }
      doneAfter?.();
    }
    return { generate, digest: () => hash.digest('hex'), onDone: (callback: () => void) => (doneAfter = callback) };
  }

  function collect(chunks: Buffer[]) {
    return new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
  }

  async function decrypt(ciphertext: Buffer[], dataKey: Buffer, fileId: string, iv: string, tag: string, size = CHUNK * CHUNKS) {
    const decryptor = createFileDecryptor(dataKey, fileId, iv, tag, size);
    const hash = createHash('sha256');
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback();
      },
    });
    await pipeline(Readable.from(ciphertext), decryptor.transform, sink);
    return { ...decryptor.result(), sinkSha256: hash.digest('hex') };
  }

  const dataKey = createDataKey();
  const ciphertext: Buffer[] = [];
  let encrypted: ReturnType<ReturnType<typeof createFileEncryptor>['result']>;
  let plaintextSha256: string;
  let bytesOutBeforeInputEnded = 0;

  beforeAll(async () => {
    const source = plaintextSource();
    const encryptor = createFileEncryptor(dataKey, 'file-1');
    expect(() => encryptor.result()).toThrow(/not finished/);
    source.onDone(() => (bytesOutBeforeInputEnded = ciphertext.reduce((sum, chunk) => sum + chunk.length, 0)));
    await pipeline(Readable.from(source.generate()), encryptor.transform, collect(ciphertext));
    encrypted = encryptor.result();
    plaintextSha256 = source.digest();
  });

  it('hashes and counts the plaintext and emits ciphertext of its padded length as it goes', () => {
    expect(encrypted.size).toBe(CHUNK * CHUNKS);
    expect(encrypted.sha256).toBe(plaintextSha256);
    // 8 MiB is a bucket of its own
    expect(paddedSize(CHUNK * CHUNKS)).toBe(CHUNK * CHUNKS);
    expect(ciphertext.reduce((sum, chunk) => sum + chunk.length, 0)).toBe(CHUNK * CHUNKS);
    // ciphertext flows out while plaintext still flows in (a buffering transform would emit
    // nothing before the end); half leaves room for the stream machinery's read-ahead
    expect(bytesOutBeforeInputEnded).toBeGreaterThan((CHUNK * CHUNKS) / 2);
    expect(Buffer.from(encrypted.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(encrypted.tag, 'base64')).toHaveLength(16);
  });

  it('does not show the plaintext in the ciphertext', () => {
    expect(Buffer.concat(ciphertext).includes(MARKER)).toBe(false);
  });

  it('decrypts back to the same SHA-256 and size', async () => {
    const result = await decrypt(ciphertext, dataKey, 'file-1', encrypted.iv, encrypted.tag);
    expect(result).toEqual({ sha256: plaintextSha256, size: CHUNK * CHUNKS, sinkSha256: plaintextSha256 });
  });

  it('fails on one flipped ciphertext byte', async () => {
    const altered = ciphertext.map((chunk) => Buffer.from(chunk));
    altered[100]![500] = altered[100]![500]! ^ 0x80;
    await expect(decrypt(altered, dataKey, 'file-1', encrypted.iv, encrypted.tag)).rejects.toBeInstanceOf(OpenFailedError);
  });

  it('fails on a dropped chunk', async () => {
    await expect(decrypt(ciphertext.slice(0, -1), dataKey, 'file-1', encrypted.iv, encrypted.tag)).rejects.toBeInstanceOf(OpenFailedError);
  });

  it('fails on an altered tag or iv, another file id or another data key', async () => {
    const attempts = [
      decrypt(ciphertext, dataKey, 'file-1', encrypted.iv, flipByte(encrypted.tag, 15)),
      decrypt(ciphertext, dataKey, 'file-1', flipByte(encrypted.iv), encrypted.tag),
      decrypt(ciphertext, dataKey, 'file-2', encrypted.iv, encrypted.tag),
      decrypt(ciphertext, createDataKey(), 'file-1', encrypted.iv, encrypted.tag),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(OpenFailedError);
  });

  it('handles an empty file', async () => {
    const encryptor = createFileEncryptor(dataKey, 'empty');
    const out: Buffer[] = [];
    await pipeline(Readable.from([]), encryptor.transform, collect(out));
    const { iv, tag, size, sha256 } = encryptor.result();
    expect({ size, sha256 }).toEqual({ size: 0, sha256: createHash('sha256').digest('hex') });
    expect(Buffer.concat(out)).toHaveLength(64 * 1024);
    await expect(decrypt(out, dataKey, 'empty', iv, tag, 0)).resolves.toMatchObject({ size: 0, sha256 });
  });

  describe('padding', () => {
    const plaintext = Buffer.from('%PDF-1.7 a short document of a few dozen bytes');
    const out: Buffer[] = [];
    let sealed: ReturnType<ReturnType<typeof createFileEncryptor>['result']>;

    beforeAll(async () => {
      const encryptor = createFileEncryptor(dataKey, 'short');
      await pipeline(Readable.from([plaintext]), encryptor.transform, collect(out));
      sealed = encryptor.result();
    });

    it.each([
      [0, 65_536],
      [1, 65_536],
      [65_536, 65_536],
      [65_537, 67_584],
      [1_000_000, 1_015_808],
      [50 * 1024 * 1024 + 1, 51 * 1024 * 1024],
    ])('pads %i bytes to %i', (size, padded) => {
      expect(paddedSize(size)).toBe(padded);
    });

    it('costs at most 3 % above 64 KiB, never shrinks, and leaves few distinct sizes', () => {
      const buckets = new Set<number>();
      for (let size = 60_000; size < 64 * 1024 * 1024; size = Math.ceil(size * 1.0007) + 1) {
        const padded = paddedSize(size);
        expect(padded).toBeGreaterThanOrEqual(size);
        if (size > 64 * 1024) expect(padded / size).toBeLessThanOrEqual(1.0313);
        buckets.add(padded);
      }
      // from 64 KiB to 64 MiB: at most 32 sizes per doubling instead of millions
      expect(buckets.size).toBeLessThanOrEqual(10 * 32 + 1);
    });

    it('stores a short file as 64 KiB of ciphertext and decrypts it back to its own bytes', async () => {
      expect(sealed.size).toBe(plaintext.length);
      expect(Buffer.concat(out)).toHaveLength(64 * 1024);
      const chunks: Buffer[] = [];
      const decryptor = createFileDecryptor(dataKey, 'short', sealed.iv, sealed.tag, plaintext.length);
      await pipeline(Readable.from(out), decryptor.transform, collect(chunks));
      expect(Buffer.concat(chunks)).toEqual(plaintext);
      expect(decryptor.result()).toEqual({ size: plaintext.length, sha256: createHash('sha256').update(plaintext).digest('hex') });
    });

    it('refuses another size than the sealed one, and altered padding', async () => {
      // too short cuts the file, another bucket does not match the stored length
      for (const size of [plaintext.length - 1, 70_000]) {
        await expect(decrypt(out, dataKey, 'short', sealed.iv, sealed.tag, size)).rejects.toBeInstanceOf(OpenFailedError);
      }
      // too large in the same bucket takes padding zeros for the file's last bytes: the hash, which
      // the sealed manifest and the digest bind, gives it away
      for (const size of [plaintext.length + 1, 64 * 1024]) {
        expect((await decrypt(out, dataKey, 'short', sealed.iv, sealed.tag, size)).sha256).not.toBe(sealed.sha256);
      }
      const altered = Buffer.concat(out);
      altered[altered.length - 1]! ^= 0x01;
      await expect(decrypt([altered], dataKey, 'short', sealed.iv, sealed.tag, plaintext.length)).rejects.toBeInstanceOf(OpenFailedError);
      await expect(decrypt([Buffer.concat(out).subarray(0, plaintext.length)], dataKey, 'short', sealed.iv, sealed.tag, plaintext.length)).rejects.toBeInstanceOf(OpenFailedError);
    });
  });
});

describe('declared values', () => {
  const dataKey = createDataKey();
  const value = { publicBenefitShare: 25.5, declarations: { 'no-bad-record': true }, summary: '为职工提供心理咨询服务' };

  it('round-trips through JSON', () => {
    const stored = parseEncryptedJson(JSON.parse(JSON.stringify(encryptJson(value, dataKey, 'fields'))));
    expect(decryptJson(stored, dataKey, 'fields')).toEqual(value);
  });

  it('is as long whatever the declared share: the length of what is stored tells nothing of it', () => {
    const length = (share: number, summary = '') =>
      Buffer.from(encryptJson({ publicBenefitRatio: share, declarations: value.declarations, summary }, dataKey, 'declared').ciphertext, 'base64').length;
    const lengths = new Set([20, 25, 37.5, 40, 99.5, 100].map((share) => length(share)));
    expect(lengths.size).toBe(1);
    // a summary changes it only by whole 1 KiB steps
    expect(length(40, '摘要'.repeat(100)) % 1024).toBe(0);
  });

  it('hides the value and refuses the wrong label, key or an altered blob', () => {
    const blob = encryptJson(value, dataKey, 'fields');
    expect(JSON.stringify(blob)).not.toContain('publicBenefitShare');
    expect(() => decryptJson(blob, dataKey, 'summary')).toThrow(OpenFailedError);
    expect(() => decryptJson(blob, createDataKey(), 'fields')).toThrow(OpenFailedError);
    expect(() => decryptJson({ ...blob, ciphertext: flipByte(blob.ciphertext) }, dataKey, 'fields')).toThrow(OpenFailedError);
  });
});

describe('bid digest', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const base: BidDigestInput = {
    files: [
      { name: '响应文件.pdf', size: 1234, sha256: sha('a') },
      { name: 'licence.pdf', size: 99, sha256: sha('b') },
    ],
    fields: { publicBenefitShare: 25, declarations: { a: true, b: false } },
    recruitmentId: RECRUITMENT,
    organizationId: '33333333-3333-4333-8333-333333333333',
    lot: 'elderly-care',
    version: 1,
    receivedAt: '2030-01-01T08:00:00.000Z',
    salt: Buffer.alloc(32, 7).toString('base64'),
  };

  it('is the SHA-256 of the documented canonical JSON, so a bidder can recompute it', () => {
    const expected = canonicalize({
      fields: base.fields,
      files: base.files,
      lot: base.lot,
      organizationId: base.organizationId,
      receivedAt: base.receivedAt,
      recruitmentId: base.recruitmentId,
      salt: base.salt,
      version: base.version,
    });
    expect(expected).toMatch(/^\{"fields":\{"declarations":\{"a":true,"b":false\},"publicBenefitShare":25\},"files":\[\{"name":"响应文件.pdf","sha256":"/);
    expect(bidDigest(base)).toBe(sha(expected!));
  });

  it('does not depend on key order or on extra properties', () => {
    const reordered: BidDigestInput = {
      receivedAt: base.receivedAt,
      version: 1,
      lot: 'elderly-care',
      organizationId: base.organizationId,
      recruitmentId: RECRUITMENT,
      fields: { declarations: { b: false, a: true }, publicBenefitShare: 25 },
      files: base.files.map(({ sha256, size, name }) => ({ sha256, size, name, iv: 'stored beside, not digested' })),
      salt: base.salt,
    };
    expect(bidDigest(reordered)).toBe(bidDigest(base));
  });

  it.each<[string, (parts: BidDigestInput) => BidDigestInput]>([
    ['a file hash', (p) => ({ ...p, files: [{ ...p.files[0]!, sha256: sha('c') }, p.files[1]!] })],
    ['a file size', (p) => ({ ...p, files: [{ ...p.files[0]!, size: 1235 }, p.files[1]!] })],
    ['a file name', (p) => ({ ...p, files: [{ ...p.files[0]!, name: 'other.pdf' }, p.files[1]!] })],
    ['the file order', (p) => ({ ...p, files: [...p.files].reverse() })],
    ['a dropped file', (p) => ({ ...p, files: p.files.slice(1) })],
    ['the lot', (p) => ({ ...p, lot: 'childcare' })],
    ['the version', (p) => ({ ...p, version: 2 })],
    ['a field', (p) => ({ ...p, fields: { publicBenefitShare: 24, declarations: { a: true, b: false } } })],
    ['a nested field', (p) => ({ ...p, fields: { publicBenefitShare: 25, declarations: { a: true, b: true } } })],
    ['the organisation', (p) => ({ ...p, organizationId: '44444444-4444-4444-8444-444444444444' })],
    ['the recruitment', (p) => ({ ...p, recruitmentId: OTHER_RECRUITMENT })],
    ['the time received', (p) => ({ ...p, receivedAt: '2030-01-01T08:00:00.001Z' })],
    ['the salt', (p) => ({ ...p, salt: Buffer.alloc(32, 8).toString('base64') })],
  ])('changes with %s', (_what, change) => {
    expect(bidDigest(change(base))).not.toBe(bidDigest(base));
  });

  it('refuses a file hash that is not lowercase hex', () => {
    expect(() => bidDigest({ ...base, files: [{ name: 'a', size: 1, sha256: sha('a').toUpperCase() }] })).toThrow(RangeError);
  });

  it('refuses a salt that is not 32 bytes of canonical base64', () => {
    for (const salt of ['', Buffer.alloc(16).toString('base64'), Buffer.alloc(32).toString('base64url'), Buffer.alloc(32).toString('hex')]) {
      expect(() => bidDigest({ ...base, salt })).toThrow(RangeError);
    }
  });

  it('cannot be matched by a search over plausible declared values without the salt', () => {
    const digest = bidDigest({ ...base, salt: createDigestSalt(), fields: { publicBenefitShare: 37.5, declarations: base.fields } });
    const found = Array.from({ length: 201 }, (_, i) => i / 2).filter(
      (share) => bidDigest({ ...base, fields: { publicBenefitShare: share, declarations: base.fields } }) === digest,
    );
    expect(found).toEqual([]);
  });

  it('draws a new 32-byte salt every time', () => {
    const salts = new Set(Array.from({ length: 100 }, createDigestSalt));
    expect(salts.size).toBe(100);
    for (const salt of salts) expect(Buffer.from(salt, 'base64')).toHaveLength(32);
  });
});

describe('sealed manifest', () => {
  const dataKey = createDataKey();
  const manifest = {
    salt: createDigestSalt(),
    files: [
      { id: '55555555-5555-4555-8555-555555555555', name: '报价单-总价98万元.pdf', size: 98_000, sha256: 'a'.repeat(64) },
      { id: '66666666-6666-4666-8666-666666666666', name: '资质.pdf', size: 12, sha256: 'b'.repeat(64) },
    ],
  };

  it('round-trips through JSON, keeping only the documented members in their order', () => {
    const blob = sealManifest({ ...manifest, files: manifest.files.map((file) => ({ ...file, iv: 'not sealed', tag: 'not sealed' })) }, dataKey);
    expect(openManifest(parseEncryptedJson(JSON.parse(JSON.stringify(blob))), dataKey)).toEqual(manifest);
  });

  it('hides the names, sizes, hashes and salt, and refuses another key or an altered blob', () => {
    const blob = sealManifest(manifest, dataKey);
    const text = JSON.stringify(blob);
    for (const secret of ['报价单', '98000', 'a'.repeat(64), manifest.salt]) expect(text).not.toContain(secret);
    expect(() => openManifest(blob, createDataKey())).toThrow(OpenFailedError);
    expect(() => openManifest({ ...blob, ciphertext: flipByte(blob.ciphertext) }, dataKey)).toThrow(OpenFailedError);
    // the declared values' blob is not a manifest, even under the same key
    expect(() => openManifest(encryptJson(manifest, dataKey, 'declared'), dataKey)).toThrow(OpenFailedError);
  });

  it('refuses a manifest of the wrong shape', () => {
    const bad = [
      { files: manifest.files },
      { salt: 'short', files: manifest.files },
      { salt: manifest.salt, files: 'none' },
      { salt: manifest.salt, files: [{ ...manifest.files[0], size: -1 }] },
      { salt: manifest.salt, files: [{ ...manifest.files[0], sha256: 'A'.repeat(64) }] },
      { salt: manifest.salt, files: [{ ...manifest.files[0], name: 7 }] },
    ];
    for (const value of bad) expect(() => openManifest(encryptJson(value, dataKey, 'manifest'), dataKey)).toThrow(MalformedSealingDataError);
  });
});
