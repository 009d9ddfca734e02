import MarkdownIt from 'markdown-it';

// Announcement bodies are Markdown written by agents. Raw HTML is off (it is escaped, never
// rendered) and markdown-it refuses javascript:, vbscript: and data: links, so the output is
// safe to place in a page as is.
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true });

export function renderMarkdown(source: string): string {
  return markdown.render(source);
}
