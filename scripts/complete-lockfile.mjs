#!/usr/bin/env node
// Adds lockfile entries for platform-specific optional packages that npm left
// out of package-lock.json.
//
// Why: the npm registry mirror reachable from our machines serves only the
// linux-x64 builds of platform packages (@rollup/rollup-*, msgpackr-extract's
// prebuilds). npm 11 then writes no lock entry for the others, and `npm ci`
// refuses the lockfile ("Missing: @rollup/rollup-darwin-arm64@ from lock
// file"). An entry with the version and its os/cpu is all `npm ci` needs: it
// skips packages for other platforms without fetching them.
//
// Run after any `npm install` that rewrites package-lock.json:
//   node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const packages = lock.packages;

const OS = ["android", "darwin", "freebsd", "linux", "openbsd", "openharmony", "win32", "sunos", "aix", "netbsd"];
const CPU = { "arm-eabi": "arm", arm: "arm", arm64: "arm64", x64: "x64", ia32: "ia32", loong64: "loong64", ppc64: "ppc64", riscv64: "riscv64", s390x: "s390x" };

/** os, cpu and libc from a name such as rollup-linux-arm64-musl or msgpackr-extract-win32-x64. */
function platformOf(name) {
  const parts = name.split("/").pop().split("-");
  const osIndex = parts.findIndex((p) => OS.includes(p));
  if (osIndex < 0) return undefined;
  const rest = parts.slice(osIndex + 1);
  const cpuKey = rest.length > 1 && CPU[`${rest[0]}-${rest[1]}`] !== undefined && rest[1] === "eabi" ? `${rest[0]}-${rest[1]}` : rest[0];
  const cpu = CPU[cpuKey];
  if (cpu === undefined) return undefined;
  const entry = { os: [parts[osIndex]], cpu: [cpu] };
  if (rest.includes("musl") || rest.includes("musleabihf")) entry.libc = ["musl"];
  else if (parts[osIndex] === "linux" && (rest.includes("gnu") || rest.includes("gnueabihf"))) entry.libc = ["glibc"];
  return entry;
}

let added = 0;
for (const [key, pkg] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const hoisted = `node_modules/${dep}`;
    const nested = `${key}/node_modules/${dep}`;
    if (packages[hoisted] !== undefined || packages[nested] !== undefined) continue;
    const platform = platformOf(dep);
    if (platform === undefined) continue; // not a platform build: leave it to npm
    packages[hoisted] = { version, ...(pkg.dev ? { dev: true } : {}), optional: true, ...platform };
    added++;
  }
}
writeFileSync(path, JSON.stringify(lock, null, 2) + "\n");
console.log(`complete-lockfile: added ${added} platform-specific optional entries`);
