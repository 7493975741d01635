import { describe, expect, it } from "vitest";
import { parseTextTable } from "./text-table.ts";

describe("parseTextTable", () => {
  it("reads whitespace-separated rows, with or without a final newline", () => {
    expect(parseTextTable("1 2\n3  4.5e1\r\n-0.5 .25\n\n", { name: "t" })).toEqual({
      rows: 3,
      cols: 2,
      values: Float64Array.from([1, 2, 3, 45, -0.5, 0.25]),
    });
    expect(parseTextTable("7 8 9", { name: "t", integers: true }).values).toEqual(Float64Array.from([7, 8, 9]));
  });

  it("names the file, line and field of what it refuses", () => {
    expect(() => parseTextTable("1 2\n3\n", { name: "pos.dat" })).toThrow("pos.dat: line 2 has 1 fields, expected 2");
    expect(() => parseTextTable("1 2.5\n", { name: "feat.dat", integers: true })).toThrow(
      'feat.dat: line 1, field 2 is "2.5", not an integer',
    );
    expect(() => parseTextTable("1 nan\n", { name: "x" })).toThrow('line 1, field 2 is "nan", not a number');
    expect(() => parseTextTable("1 2 3\n", { name: "x", columns: 2 })).toThrow("line 1 has 3 fields, expected 2");
    expect(() => parseTextTable("\n", { name: "x" })).toThrow("x: no rows");
  });
});
