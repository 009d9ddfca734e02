import { ANNOUNCEMENT_LABELS, announcementSubject } from '../../lib/labels.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import type { AnnouncementKind } from './types.ts';

export interface FeedEntry {
  id: string;
  number: number;
  kind: AnnouncementKind;
  title: string;
  body: string;
  publishedAt: Date;
  recruitmentId: string;
  recruitmentTitle: string;
  owner: string;
}

// Written here rather than by a feed library: every value is escaped as XML text (never CDATA,
// which a title holding `]]>` closes early), titles are typed text and only the rendered body
// is typed html, so a title can never become markup in a reader.

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes markup; a character XML 1.0 cannot hold at all (a control character) becomes U+FFFD. */
function escapeXml(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}

/** One element; attribute values and the text are escaped, `children` are elements already written. */
function element(name: string, attributes: Record<string, string>, content: { text: string } | { children: string[] }): string {
  const attrs = Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  const inner = 'text' in content ? escapeXml(content.text) : `\n${content.children.join('\n')}\n`;
  return `<${name}${attrs}>${inner}</${name}>`;
}

const text = (name: string, value: string, attributes: Record<string, string> = {}) => element(name, attributes, { text: value });
const link = (attributes: Record<string, string>) => `<link${Object.entries(attributes).map(([key, value]) => ` ${key}="${escapeXml(value)}"`).join('')}/>`;

/** The Atom feed of announcements, newest first; each entry links to its place on the detail page. */
export function buildAtomFeed(entries: FeedEntry[], { publicUrl, title, now }: { publicUrl: string; title: string; now: Date }) {
  const items = entries.map((entry) => {
    const label = ANNOUNCEMENT_LABELS[entry.kind];
    const subject = announcementSubject(entry.kind, entry.title) ?? `${entry.recruitmentTitle}：${entry.title}`;
    return element('entry', {}, {
      children: [
        text('title', entry.number === 0 ? `【${label}】${entry.title}` : `【${label}·第 ${entry.number} 号】${subject}`, { type: 'text' }),
        text('id', `urn:uuid:${entry.id}`),
        link({ href: `${publicUrl}/recruitments/${entry.recruitmentId}#announcement-${entry.number}` }),
        text('updated', entry.publishedAt.toISOString()),
        text('published', entry.publishedAt.toISOString()),
        element('author', {}, { children: [text('name', entry.owner)] }),
        text('content', renderMarkdown(entry.body), { type: 'html' }),
      ],
    });
  });
  const feed = element('feed', { xmlns: 'http://www.w3.org/2005/Atom', 'xml:lang': 'zh-CN' }, {
    children: [
      text('id', `${publicUrl}/recruitments`),
      text('title', `${title} · 招募公告`, { type: 'text' }),
      text('updated', (entries[0]?.publishedAt ?? now).toISOString()),
      link({ rel: 'alternate', href: `${publicUrl}/recruitments` }),
      link({ rel: 'self', type: 'application/atom+xml', href: `${publicUrl}/recruitments/feed.atom` }),
      text('rights', title),
      ...items,
    ],
  });
  return `<?xml version="1.0" encoding="utf-8"?>\n${feed}\n`;
}
