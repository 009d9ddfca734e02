import { Feed } from 'feed';
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

/** The Atom feed of announcements, newest first; each entry links to its place on the detail page. */
export function buildAtomFeed(entries: FeedEntry[], { publicUrl, title, now }: { publicUrl: string; title: string; now: Date }) {
  const feed = new Feed({
    id: `${publicUrl}/recruitments`,
    title: `${title} · 招募公告`,
    link: `${publicUrl}/recruitments`,
    language: 'zh-CN',
    updated: entries[0]?.publishedAt ?? now,
    generator: false,
    copyright: title,
    feedLinks: { atom: `${publicUrl}/recruitments/feed.atom` },
  });
  for (const entry of entries) {
    const label = ANNOUNCEMENT_LABELS[entry.kind];
    const subject = announcementSubject(entry.kind, entry.title) ?? `${entry.recruitmentTitle}：${entry.title}`;
    feed.addItem({
      id: `urn:uuid:${entry.id}`,
      title: entry.number === 0 ? `【${label}】${entry.title}` : `【${label}·第 ${entry.number} 号】${subject}`,
      link: `${publicUrl}/recruitments/${entry.recruitmentId}#announcement-${entry.number}`,
      date: entry.publishedAt,
      published: entry.publishedAt,
      author: [{ name: entry.owner }],
      content: renderMarkdown(entry.body),
    });
  }
  return feed.atom1();
}
