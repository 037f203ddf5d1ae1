// Dolos (@dodona/dolos-lib) similarity for every pair of files in each group.
// Usage: node dolos_scores.mjs <folder holding node_modules/@dodona/dolos-lib>  < groups.json
// stdin: [{"language": "java"|"python", "files": [{"path": "...", "content": "..."}]}, ...]
// stdout: one matrix per group, [[similarity of file i and j]] (1.0 on the diagonal).
// Dolos's pair similarity depends only on the two files (defaults: k=23, w=17, no
// fingerprint-frequency filter), so one analysis per group gives every pairwise score.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const lib = await import(pathToFileURL(join(process.argv[2], "node_modules/@dodona/dolos-lib/dist/index.js")).href);
const groups = JSON.parse(readFileSync(0, "utf8"));
const out = [];
for (const group of groups) {
  const files = group.files.map((f) => new lib.File(f.path, f.content));
  const dolos = new lib.Dolos({ language: group.language });
  const report = await dolos.analyze(files);
  const n = files.length;
  const matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  const index = new Map(group.files.map((f, i) => [f.path, i]));
  for (const pair of report.allPairs()) {
    const i = index.get(pair.leftFile.path);
    const j = index.get(pair.rightFile.path);
    matrix[i][j] = pair.similarity;
    matrix[j][i] = pair.similarity;
  }
  out.push(matrix);
}
process.stdout.write(JSON.stringify(out));
