// The Markdown component that renders method READMEs: headings become real headings (one level down, the page's
// title is the only <h1>), GFM tables render, and HTML or javascript: links in a README are never injected.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "../app/_components/markdown.tsx";
import { citationOf } from "../lib/methods.ts";

const render = (md: string) => renderToStaticMarkup(createElement(Markdown, { source: md }));

describe("Markdown", () => {
  it("renders headings, emphasis, code and GFM tables as elements, not raw Markdown", () => {
    const html = render("# PCA (`pca`)\n\n## What it does\n\nSome *emphasis*.\n\n| a | b |\n| - | - |\n| 1 | 2 |\n");
    expect(html).toMatch(/<h2[^>]*>PCA \(<code[^>]*>pca<\/code>\)<\/h2>/);
    expect(html).toMatch(/<h3[^>]*>What it does<\/h3>/);
    expect(html).toContain("<em>emphasis</em>");
    expect(html).toMatch(/<td[^>]*>2<\/td>/);
    expect(html).not.toContain("# PCA");
    expect(html).not.toContain("<h1");
  });

  it("drops raw HTML and unsafe link targets from a README", () => {
    const html = render(
      'Hi <script>alert(1)</script> <img src=x onerror="alert(2)">\n\n<div onclick="x()">block</div>\n\n[click](javascript:alert(3)) [ok](https://example.org)',
    );
    expect(html).not.toMatch(/<script|<img|<div onclick|onerror|onclick/i);
    expect(html).not.toContain("javascript:");
    expect(html).toContain('href="https://example.org"');
    expect(html).toContain(">click</a>");
  });
});

describe("citationOf", () => {
  it("takes the README's Citation section up to the next heading of its level, and a bibtex block", () => {
    const readme =
      "# X\n\n## Citation\n\nPearson, K. (1901).\n\n```bibtex\n@article{p1901,\n  title={Lines}\n}\n```\n\n## Changelog\n\n- 1.0.0";
    const { citation, bibtex } = citationOf(readme);
    expect(citation).toContain("Pearson, K. (1901).");
    expect(citation).not.toContain("Changelog");
    expect(bibtex).toBe("@article{p1901,\n  title={Lines}\n}");
    expect(citationOf("# X\n\nNo citation here.")).toEqual({ citation: null, bibtex: null });
  });
});
