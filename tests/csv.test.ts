// lib/csv.ts: RFC 4180 quoting, full-precision numbers, and the apostrophe that stops spreadsheet formulas.
import { describe, expect, it } from "vitest";
import { csvField, toCsv } from "../lib/csv.ts";
import { parseCsv } from "./helpers/csv.ts";

describe("csv", () => {
  it("quotes fields with commas, quotes and line breaks, doubling the quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\r\nlf")).toBe('"cr\r\nlf"');
    expect(csvField("")).toBe("");
  });

  it("writes numbers in full precision, nulls and non-finite numbers as empty fields", () => {
    expect(csvField(0.1 + 0.2)).toBe("0.30000000000000004");
    expect(csvField(-0.5)).toBe("-0.5");
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
    expect(csvField(Number.NaN)).toBe("");
    expect(csvField(true)).toBe("true");
  });

  it("prefixes text that a spreadsheet would run as a formula with an apostrophe", () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-cmd")).toBe("'-cmd");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("a=b")).toBe("a=b");
  });

  it("round-trips rows through an RFC 4180 reader, with CRLF line ends", () => {
    const rows = [
      { name: 'Sparse, "quoted"\nmethod', score: 0.123456789, note: null },
      { name: "plain", score: -1, note: "ok" },
    ];
    const text = toCsv(["name", "score", "note"] as const, rows);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(parseCsv(text)).toEqual([
      ["name", "score", "note"],
      ['Sparse, "quoted"\nmethod', "0.123456789", ""],
      ["plain", "-1", "ok"],
    ]);
  });
});
