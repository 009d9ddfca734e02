import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// poppler-utils run the way an outside party checks a document (as shared/tools/check-signed-pdf.sh
// does). Installed by .ci/run; a missing tool fails the test rather than skipping it.

export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { encoding: 'utf8', env });
  if (result.error) throw new Error(`${command}: ${result.error.message} (install poppler-utils and qpdf)`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export function writePdf(dir: string, name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

export function pdfsig(file: string): string {
  return run('pdfsig', [file]).output;
}

/** The text of a PDF without spaces and line breaks, which pdftotext puts wherever lines wrap. */
export function pdfText(file: string): string {
  return run('pdftotext', ['-enc', 'UTF-8', file, '-']).output.replace(/\s+/g, '');
}

export function pdfFonts(file: string): { name: string; embedded: boolean; subset: boolean; unicode: boolean }[] {
  return run('pdffonts', [file])
    .output.trim()
    .split('\n')
    .slice(2)
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      const flag = (fromEnd: number) => fields[fields.length - fromEnd] === 'yes';
      return { name: fields[0]!, embedded: flag(5), subset: flag(4), unicode: flag(3) };
    });
}

/**
 * Renders every page in greyscale with an EMPTY fontconfig, so poppler cannot substitute an
 * installed font for a broken embedded one, and returns the share of dark pixels per page.
 */
export function inkPerPage(file: string): { ink: number[]; errors: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pdf-render-'));
  const config = path.join(dir, 'fonts.conf');
  writeFileSync(config, `<?xml version="1.0"?><fontconfig><cachedir>${dir}</cachedir></fontconfig>`);
  const { output } = run('pdftoppm', ['-gray', '-r', '30', file, path.join(dir, 'page')], {
    ...process.env,
    FONTCONFIG_FILE: config,
  });
  const pages = readdirSync(dir)
    .filter((name) => name.endsWith('.pgm'))
    .sort();
  return { ink: pages.map((name) => darkShare(readFileSync(path.join(dir, name)))), errors: output.trim() };
}

/** binary PGM (P5, 8 bit): share of pixels darker than mid-grey */
function darkShare(pgm: Buffer): number {
  const header = pgm.toString('latin1', 0, 64).match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/);
  if (!header) throw new Error('not a binary PGM');
  const pixels = pgm.subarray(header[0].length);
  let dark = 0;
  for (const value of pixels) if (value < 128) dark++;
  return dark / pixels.length;
}
