import { defineConfig } from "vitest/config";

// Process-level tests fork real workers and bind real sockets; on 2 cores they
// must not all run at once, and each has its own generous timeout.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    fileParallelism: true,
  },
});
