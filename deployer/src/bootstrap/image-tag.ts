// The tag of a service image: a hash of exactly what the Dockerfile puts into it, so an image
// is rebuilt (and re-rolled out) when, and only when, one of its inputs changed.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The directories whose sources go into a service's image (see the Dockerfile's `app` stage). */
export function sourceDirectories(service: string): string[] {
  return ['services/kit', service === 'gateway' ? 'ingress' : `services/${service}`];
}

/**
 * The files a service's image is built from, relative to the repository root, sorted: the
 * Dockerfile, the root manifests and lock file (its dependencies), and of the kit and the
 * service: package.json, top-level *.yaml (contracts) and everything under src/.
 */
export function imageInputs(root: string, service: string): string[] {
  const files = ['Dockerfile', '.dockerignore', 'package.json', 'package-lock.json'].filter(
    (file) => existsSync(join(root, file)),
  );
  for (const directory of sourceDirectories(service)) {
    const base = join(root, directory);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base)) {
      if (entry === 'package.json' || entry.endsWith('.yaml')) files.push(`${directory}/${entry}`);
    }
    const src = join(base, 'src');
    if (existsSync(src)) files.push(...walk(src).map((file) => relative(root, file)));
  }
  return [...new Set(files)].sort();
}

/**
 * A 12-hex-digit tag from the service name, its build arguments and its inputs' paths and
 * contents. The build arguments count because they change the image without changing a file
 * (another NODE_IMAGE is another base); without any, the tag is what it always was.
 */
export function contentTag(
  root: string,
  service: string,
  buildArgs: Record<string, string> = {},
): string {
  const hash = createHash('sha256').update(`service ${service}\n`);
  for (const name of Object.keys(buildArgs).sort()) {
    hash.update(`build-arg ${name}=${buildArgs[name]}\n`);
  }
  for (const file of imageInputs(root, service)) {
    hash
      .update(`${file}\n`)
      .update(readFileSync(join(root, file)))
      .update('\n');
  }
  return hash.digest('hex').slice(0, 12);
}

function walk(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory)) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) files.push(...walk(path));
    else files.push(path);
  }
  return files;
}
