// Reads the Dockerfile into stages and instructions, so tests can check its shape and
// re-enact its install steps without a Docker engine.
import { readFileSync } from 'node:fs';

/** One instruction, continuation lines joined: `RUN npm ci ...` -> { keyword: 'RUN', args: 'npm ci ...' }. */
export interface Instruction {
  keyword: string;
  args: string;
}

/** A build stage: `FROM <image> AS <name>` and what follows it. */
export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** A Dockerfile: the ARGs declared before the first FROM (with defaults) and its stages. */
export interface Dockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Parses a Dockerfile (comments and parser directives dropped, `\` continuations joined). */
export function parseDockerfile(path: string): Dockerfile {
  const lines = readFileSync(path, 'utf8').split('\n');
  const logical: string[] = [];
  let pending = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  const stages: Stage[] = [];
  const globalArgs: Record<string, string> = {};
  for (const text of logical) {
    const [keyword = '', ...rest] = text.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new Error(`cannot read FROM ${instruction.args}`);
      stages.push({
        name: match[2] ?? String(stages.length),
        from: match[1] ?? '',
        instructions: [],
      });
    } else if (stages.length > 0) {
      stages.at(-1)?.instructions.push(instruction);
    } else if (instruction.keyword === 'ARG') {
      const [name = '', ...value] = instruction.args.split('=');
      globalArgs[name] = value.join('=');
    }
  }
  return { globalArgs, stages };
}

/** The stage of a name (throws when the Dockerfile has none). */
export function stageNamed(stages: Stage[], name: string): Stage {
  const stage = stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`the Dockerfile has no stage "${name}"`);
  return stage;
}

/** A RUN instruction's shell command, without BuildKit flags like `--mount=type=cache,...`. */
export function runCommand(instruction: Instruction): string {
  return instruction.args.replace(/^(--[a-z-]+=\S+\s+)+/, '');
}
