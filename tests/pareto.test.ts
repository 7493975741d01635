// The Pareto front of cost vs score (lib/pareto.ts) and the Markdown sections the task page shows (lib/markdown.ts).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness/paths.ts";
import { markdownSection } from "../lib/markdown.ts";
import { dominates, paretoFront } from "../lib/pareto.ts";

const p = (id: string, cost: number, score: number) => ({ id, cost, score });

describe("paretoFront", () => {
  it("keeps exactly the points no other point is both cheaper-or-equal and better-or-equal than", () => {
    const points = [
      p("slow-best", 100, 0.9),
      p("fast-bad", 1, 0.1),
      p("mid", 10, 0.5),
      p("dominated", 20, 0.4),
      p("worse-and-slower", 200, 0.8),
    ];
    expect(paretoFront(points).map((x) => x.id)).toEqual(["fast-bad", "mid", "slow-best"]);
    // Brute force agrees: a point is on the front iff nothing dominates it.
    for (const x of points) expect(paretoFront(points).includes(x)).toBe(!points.some((y) => dominates(y, x)));
  });

  it("a tie in cost keeps only the better score; identical points both stay; a single point is its own front", () => {
    expect(paretoFront([p("a", 5, 0.5), p("b", 5, 0.7)]).map((x) => x.id)).toEqual(["b"]);
    expect(paretoFront([p("a", 5, 0.5), p("b", 5, 0.5)]).map((x) => x.id)).toEqual(["a", "b"]);
    expect(paretoFront([p("only", 3, -0.2)]).map((x) => x.id)).toEqual(["only"]);
    expect(paretoFront([])).toEqual([]);
  });

  it("dominates is strict: equal points do not dominate each other", () => {
    expect(dominates(p("a", 1, 1), p("b", 1, 1))).toBe(false);
    expect(dominates(p("a", 1, 1), p("b", 2, 1))).toBe(true);
    expect(dominates(p("a", 1, 1), p("b", 1, 0.5))).toBe(true);
    expect(dominates(p("a", 1, 0.5), p("b", 2, 1))).toBe(false);
  });
});

describe("markdownSection", () => {
  it("returns a section up to the next heading of its level, skipping headings in code fences", () => {
    const md = "# T\n\n## Changelog\n\n- one\n\n```\n## not a heading\n```\n\n### Sub\n\ntext\n\n## Next\n\nafter";
    expect(markdownSection(md, /^##\s+changelog\b/i)).toBe("- one\n\n```\n## not a heading\n```\n\n### Sub\n\ntext");
    expect(markdownSection(md, /^##\s+missing\b/i)).toBeNull();
    expect(markdownSection("## Changelog\n\n## Next", /^##\s+changelog\b/i)).toBeNull();
  });

  it("finds every task README's dated changelog", () => {
    for (const task of ["feature-recovery", "topology", "causal-attribution"]) {
      const readme = readFileSync(path.join(REPO_ROOT, "tasks", task, "README.md"), "utf8");
      const changelog = markdownSection(readme, /^#{2,3}\s+changelog\b/i);
      expect(changelog, task).toMatch(/^- \d{4}-\d{2}-\d{2} — version 1/);
    }
  });
});
