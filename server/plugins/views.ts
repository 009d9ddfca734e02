import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyView from '@fastify/view';
import fp from 'fastify-plugin';
import Handlebars from 'handlebars';
import { formatFingerprint } from '../lib/bid-key-fingerprint.ts';
import type { Clock } from '../lib/clock.ts';
import { ANNOUNCEMENT_LABELS, announcementHeading, CHANNEL_LABELS, formatRemaining, formatTime, ROLE_LABELS, STATUS_LABELS } from '../lib/labels.ts';
import type { AnnouncementKind } from '../domain/recruitments/types.ts';
import { renderMarkdown } from '../lib/markdown.ts';
import { PROJECT_ROOT } from '../paths.ts';

export const VIEWS_DIR = path.join(PROJECT_ROOT, 'views');

declare module 'fastify' {
  interface FastifyReply {
    /** renders a page inside the layout, with the signed-in user, CSRF token and server time */
    page(template: string, data?: Record<string, unknown>): FastifyReply;
  }
  interface FastifyInstance {
    /**
     * a partial of views/partials rendered alone, outside the layout: a piece of a page sent as it
     * changes (an audit entry over the live stream), with the same helpers as the page
     */
    renderPartial(name: string, data: Record<string, unknown>): string;
  }
}

// A page kept for anonymous visitors (plugins/anonymous-cache.ts) holds placeholders where the
// clock alone changes it, filled in each time it is served: the server time in the header and the
// time left until a deadline. Their names carry a secret of the process, so no text a user wrote
// can be taken for one.
const SLOT = `slot-${randomBytes(8).toString('hex')}-`;
const SLOTS = new RegExp(`${SLOT}(now-iso|now-text|remaining-(\\d+))`, 'g');
export const TIME_SLOTS = { serverTime: `${SLOT}now-iso`, serverTimeText: `${SLOT}now-text` };

/** the placeholder of the time left until `deadline`, as formatRemaining writes it */
export const remainingSlot = (deadline: Date) => `${SLOT}remaining-${deadline.getTime()}`;

function slotValue(what: string, deadline: string | undefined, now: Date): string {
  if (what === 'now-iso') return now.toISOString();
  if (what === 'now-text') return formatTime(now);
  return formatRemaining(Number(deadline) - now.getTime());
}

/**
 * The page as bytes with its placeholders filled in for `now`, split once: the text between them
 * kept as bytes, so that serving it again encodes only what the clock changed.
 */
export function compileTimeSlots(body: string): (now: Date) => Buffer {
  // split() puts the captured names and deadlines between the pieces of text
  const parts = body.split(SLOTS);
  const texts: Buffer[] = [];
  const slots: { what: string; deadline: string | undefined }[] = [];
  for (let i = 0; i < parts.length; i += 3) {
    texts.push(Buffer.from(parts[i]!));
    if (i + 1 < parts.length) slots.push({ what: parts[i + 1]!.startsWith('remaining') ? 'remaining' : parts[i + 1]!, deadline: parts[i + 2] });
  }
  return (now) => {
    const pieces: Buffer[] = [texts[0]!];
    slots.forEach(({ what, deadline }, index) => pieces.push(Buffer.from(slotValue(what, deadline, now)), texts[index + 1]!));
    return Buffer.concat(pieces);
  };
}

// preventIndent: a partial must not indent the multi-line text it shows (e.g. a textarea)
const COMPILE_OPTIONS = { preventIndent: true };

/** A file's size as a person reads it, with the exact count of bytes: "4.9 KB（5,000 字节）". */
function fileSize(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} 字节`;
  if (bytes < 1024) return exact;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KB'] : [bytes / (1024 * 1024), 'MB'];
  return `${value.toFixed(1)} ${unit}（${exact}）`;
}

function createHandlebars() {
  const hbs = Handlebars.create();
  hbs.registerHelper('roleLabel', (role: string) => ROLE_LABELS[role as keyof typeof ROLE_LABELS] ?? role);
  hbs.registerHelper('statusLabel', (status: string) => STATUS_LABELS[status as keyof typeof STATUS_LABELS] ?? status);
  hbs.registerHelper(
    'announcementLabel',
    (kind: string) => ANNOUNCEMENT_LABELS[kind as keyof typeof ANNOUNCEMENT_LABELS] ?? kind,
  );
  hbs.registerHelper('announcementHeading', (kind: AnnouncementKind, title: string) => announcementHeading(kind, title));
  hbs.registerHelper('channelLabel', (channel: string) => CHANNEL_LABELS[channel as keyof typeof CHANNEL_LABELS] ?? channel);
  // Markdown is rendered with raw HTML disabled, so the result is safe to insert unescaped.
  hbs.registerHelper('markdown', (source: string) => new hbs.SafeString(renderMarkdown(source ?? '')));
  hbs.registerHelper('formatTime', (value: Date | string | null | undefined) => (value ? formatTime(value) : ''));
  hbs.registerHelper('isoTime', (value: Date | string) => new Date(value).toISOString());
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('join', (items: unknown) => (Array.isArray(items) ? items.join('、') : ''));
  hbs.registerHelper('fingerprint', (value: string | null | undefined) => (value ? formatFingerprint(value) : ''));
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value, null, 2));
  hbs.registerHelper('fileSize', (bytes: number) => fileSize(bytes));
  return hbs;
}

function partialsIn(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(path.join(VIEWS_DIR, dir))
      .filter((file) => file.endsWith('.hbs'))
      .map((file) => [path.basename(file, '.hbs'), `${dir}/${file}`]),
  );
}

export default fp(
  async (app, { clock }: { clock: Clock }) => {
    const handlebars = createHandlebars();
    await app.register(fastifyView, {
      engine: { handlebars },
      root: VIEWS_DIR,
      layout: 'layouts/main.hbs',
      // each template compiled once per process, whatever NODE_ENV says: compiling on every
      // request was most of a page's time (issue 16); a changed template needs a restart
      production: true,
      options: { partials: partialsIn('partials'), compileOptions: COMPILE_OPTIONS },
    });
    const partials = new Map<string, Handlebars.TemplateDelegate>();
    app.decorate('renderPartial', (name: string, data: Record<string, unknown>) => {
      let template = partials.get(name);
      if (!template) {
        template = handlebars.compile(readFileSync(path.join(VIEWS_DIR, 'partials', `${name}.hbs`), 'utf8'), COMPILE_OPTIONS);
        partials.set(name, template);
      }
      return template(data);
    });
    app.decorateReply('page', function page(this, template: string, data: Record<string, unknown> = {}) {
      const request = this.request;
      const now = clock.now();
      return this.header('cache-control', 'no-store').view(`${template}.hbs`, {
        ...data,
        currentUser: request.user,
        csrfToken: this.generateCsrf(),
        serverTime: now.toISOString(),
        serverTimeText: formatTime(now),
        path: request.url.split('?')[0],
      });
    });
  },
  { name: 'views', dependencies: ['@fastify/csrf-protection'] },
);
