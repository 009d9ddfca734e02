import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths.ts';
import type { DocumentFonts } from './pdf/layout.ts';
import { DOCUMENT_KINDS, type DocumentKind } from './pdf/templates/template.ts';
import { sha256Hex } from './hash.ts';

// What the pure PDF layer needs from the disk: the CJK font faces shipped in the npm package
// node-source-han-sans-sc (full OTF files; no system font is used), and the SHA-256 of each
// template's source file, which every PDF records. The fonts are 17 MB each, so the server reads
// them on its first document, never at start (its memory stays low while bids are uploaded).

export interface DocumentAssets {
  fonts: DocumentFonts;
  templateHashes: Record<DocumentKind, string>;
}

const require = createRequire(import.meta.url);

function fontPath(face: 'Regular' | 'Bold'): string {
  return require.resolve(`node-source-han-sans-sc/SourceHanSansSC-${face}.otf`);
}

/**
 * award_notice → server/lib/pdf/templates/award-notice.ts, found from the project root: the
 * bundle `npm start` runs lives in dist/, where import.meta.url points elsewhere.
 */
export function templateSourcePath(kind: DocumentKind): string {
  return path.join(PROJECT_ROOT, 'server', 'lib', 'pdf', 'templates', `${kind.replaceAll('_', '-')}.ts`);
}

export async function loadDocumentAssets(): Promise<DocumentAssets> {
  const [regular, bold, ...sources] = await Promise.all([
    readFile(fontPath('Regular')),
    readFile(fontPath('Bold')),
    ...DOCUMENT_KINDS.map((kind) => readFile(templateSourcePath(kind))),
  ]);
  const templateHashes = Object.fromEntries(
    DOCUMENT_KINDS.map((kind, index) => [kind, sha256Hex(sources[index]!)]),
  ) as Record<DocumentKind, string>;
  return { fonts: { regular: regular!, bold: bold! }, templateHashes };
}

let cached: Promise<DocumentAssets> | null = null;

/** The assets, read on the first call and kept for the life of the process (a failed read is retried). */
export function documentAssets(): Promise<DocumentAssets> {
  cached ??= loadDocumentAssets().catch((error: unknown) => {
    cached = null;
    throw error;
  });
  return cached;
}
