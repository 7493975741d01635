import { defineConfig } from "vitest/config";
import SlowFilesFirst from "./tests/helpers/sequencer.ts";

export default defineConfig({
  // `@/…` imports resolve from tsconfig.json's paths, as they do under tsc, tsx and Next.
  resolve: { tsconfigPaths: true },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", ".cajal/**"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Two cores: more workers only make the numeric tests fight for CPU.
    maxWorkers: 2,
    // The longest files start first (tests/helpers/sequencer.ts), so no long file starts last.
    sequence: { sequencer: SlowFilesFirst },
    reporters: ["default"],
  },
});
