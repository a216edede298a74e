/** `npm run codegen` writes each subgraph's src/__generated__/resolvers-types.ts; `--check` fails when one is stale. */
import fs from 'node:fs';
import path from 'node:path';
import { generateResolverTypes, resolverTypesTargets } from '@platform/platform/codegen';

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const target of resolverTypesTargets()) {
    const generated = await generateResolverTypes(target);
    const committed = fs.existsSync(target.outputPath) ? fs.readFileSync(target.outputPath, 'utf8') : '';
    if (committed === generated) continue;
    if (check) stale.push(path.relative(process.cwd(), target.outputPath));
    else {
      fs.mkdirSync(path.dirname(target.outputPath), { recursive: true });
      fs.writeFileSync(target.outputPath, generated);
      console.log(`wrote ${path.relative(process.cwd(), target.outputPath)}`);
    }
  }
  if (stale.length) {
    console.error(`stale generated resolver types (run npm run codegen and commit): ${stale.join(', ')}`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
