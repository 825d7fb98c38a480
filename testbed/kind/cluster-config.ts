// Writes the kind cluster configuration for this host (see testbed/src/kind-cluster-config.ts)
// to stdout. Called by kind.sh:
//   node testbed/kind/cluster-config.ts <users' kind-config.yaml> [--offline-node-image IMAGE
//        --offline-image-repository REPO --offline-etcd-tag TAG] [--cgroup-v1] [--restrict-oom-score-adj]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { kindClusterConfig } from '../src/kind-cluster-config.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'offline-node-image': { type: 'string' },
    'offline-image-repository': { type: 'string' },
    'offline-etcd-tag': { type: 'string' },
    'cgroup-v1': { type: 'boolean', default: false },
    'restrict-oom-score-adj': { type: 'boolean', default: false },
  },
});
const [file] = positionals;
if (!file) {
  process.stderr.write('usage: cluster-config.ts <kind-config.yaml> [options]\n');
  process.exit(2);
}
try {
  process.stdout.write(
    kindClusterConfig(readFileSync(file, 'utf8'), {
      offlineNodeImage: values['offline-node-image'],
      offlineImageRepository: values['offline-image-repository'],
      offlineEtcdTag: values['offline-etcd-tag'],
      cgroupV1: values['cgroup-v1'],
      restrictOomScoreAdj: values['restrict-oom-score-adj'],
    }),
  );
} catch (error) {
  process.stderr.write(`cluster-config: ${file}: ${(error as Error).message}\n`);
  process.exit(1);
}
