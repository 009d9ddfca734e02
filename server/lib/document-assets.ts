import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { DocumentFonts } from './pdf/layout.ts';
import { DOCUMENT_KINDS, type DocumentKind } from './pdf/templates/template.ts';
import { sha256Hex } from './hash.ts';

// What the pure PDF layer needs from the disk, read once at start: the CJK font faces shipped in
// the npm package node-source-han-sans-sc (full OTF files; no system font is used), and the
// SHA-256 of each template's source file, which every PDF records.

export interface DocumentAssets {
  fonts: DocumentFonts;
  templateHashes: Record<DocumentKind, string>;
}

const require = createRequire(import.meta.url);

function fontPath(face: 'Regular' | 'Bold'): string {
  return require.resolve(`node-source-han-sans-sc/SourceHanSansSC-${face}.otf`);
}

/** award_notice → server/lib/pdf/templates/award-notice.ts */
export function templateSourceUrl(kind: DocumentKind): URL {
  return new URL(`./pdf/templates/${kind.replaceAll('_', '-')}.ts`, import.meta.url);
}

export async function loadDocumentAssets(): Promise<DocumentAssets> {
  const [regular, bold, ...sources] = await Promise.all([
    readFile(fontPath('Regular')),
    readFile(fontPath('Bold')),
    ...DOCUMENT_KINDS.map((kind) => readFile(templateSourceUrl(kind))),
  ]);
  const templateHashes = Object.fromEntries(
    DOCUMENT_KINDS.map((kind, index) => [kind, sha256Hex(sources[index]!)]),
  ) as Record<DocumentKind, string>;
  return { fonts: { regular: regular!, bold: bold! }, templateHashes };
}
