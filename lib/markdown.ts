// Sections of Markdown documents (pure): READMEs' "Citation" and "Changelog" sections.

/**
 * The body of the first heading matching `heading` (e.g. /^#{2,3}\s+changelog\b/i), up to the next heading of the same
 * or a higher level; headings inside ``` fences do not count. null when there is no such heading or its body is empty.
 */
export function markdownSection(markdown: string, heading: RegExp): string | null {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) return null;
  const level = (lines[start] as string).match(/^#+/)?.[0].length ?? 2;
  let end = lines.length;
  let fenced = false;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith("```")) fenced = !fenced;
    const h = fenced ? null : /^(#+)\s/.exec(line);
    if (h && (h[1] as string).length <= level) {
      end = i;
      break;
    }
  }
  const body = lines
    .slice(start + 1, end)
    .join("\n")
    .trim();
  return body || null;
}
