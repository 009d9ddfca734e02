import sax from 'sax';
import { describe, expect, it } from 'vitest';
import { buildAtomFeed, type FeedEntry } from '../../server/domain/recruitments/feed.ts';

interface Element {
  name: string;
  attributes: Record<string, string>;
  text: string;
}

/** The feed read by a strict XML parser (it throws on anything malformed): every element in order. */
function parseXml(xml: string): Element[] {
  const elements: Element[] = [];
  const open: Element[] = [];
  const parser = sax.parser(true);
  parser.onopentag = ({ name, attributes }) => {
    const element = { name, attributes, text: '' };
    elements.push(element);
    open.push(element);
  };
  parser.ontext = parser.oncdata = (text) => {
    const current = open.at(-1);
    if (current) current.text += text;
  };
  parser.onclosetag = () => open.pop();
  parser.onerror = (error) => {
    throw error;
  };
  parser.write(xml).close();
  return elements;
}

const HOSTILE = '社区]]>文艺]]><script>alert(1)</script>&amp;<entry>';

const entry = (overrides: Partial<FeedEntry>): FeedEntry => ({
  id: '2f1d7c8e-6a4b-4c1e-9a51-0d3c5b7e9f10',
  number: 0,
  kind: 'announcement',
  title: HOSTILE,
  body: '正文 ]]> 与 <b>标记</b> ]]>',
  publishedAt: new Date('2026-11-20T02:00:00Z'),
  recruitmentId: '7c0e4b1a-3d2f-4e5a-8b6c-9d0e1f2a3b4c',
  recruitmentTitle: HOSTILE,
  owner: `职工服务中心${HOSTILE}`,
  ...overrides,
});

describe('the Atom feed', () => {
  it('stays well-formed and keeps every title as plain text, whatever it holds (]]> twice, markup)', () => {
    const xml = buildAtomFeed([entry({ number: 1, kind: 'amendment', title: HOSTILE }), entry({})], {
      publicUrl: 'https://portal.example.cn',
      title: '职工服务中心合作伙伴招募平台',
      now: new Date('2026-11-21T00:00:00Z'),
    });
    const elements = parseXml(xml);
    expect(elements[0]?.name).toBe('feed');
    expect(elements.filter((element) => element.name === 'entry')).toHaveLength(2);
    expect(elements.map((element) => element.name)).not.toContain('script');
    const titles = elements.filter((element) => element.name === 'title');
    expect(titles).toHaveLength(3);
    for (const title of titles) expect(title.attributes.type ?? 'text').toBe('text');
    expect(titles[1]?.text).toContain(HOSTILE);
    expect(titles[2]?.text).toBe(`【招募公告】${HOSTILE}`);
    const authors = elements.filter((element) => element.name === 'name');
    expect(authors[0]?.text).toBe(`职工服务中心${HOSTILE}`);
    const content = elements.find((element) => element.name === 'content');
    expect(content?.attributes.type).toBe('html');
    expect(content?.text).toContain('正文 ]]&gt; 与 &lt;b&gt;标记&lt;/b&gt; ]]&gt;');
  });
});
