// Every label and annotation shoal writes, in one place (documented in deployer/README.md).

/** On every object a release renders: which release owns it (prune and destroy select by it). */
export const RELEASE_LABEL = 'shoal.dev/release';
/** With RELEASE_LABEL: the release's namespace (cluster-scoped objects need it to be told apart). */
export const RELEASE_NAMESPACE_LABEL = 'shoal.dev/release-namespace';
/** On PVC templates of StatefulSets: the release whose data the claims hold (destroy --keep-data keeps them). */
export const DATA_OF_LABEL = 'shoal.dev/data-of';
/** On shoal's own state objects: `release` (a revision Secret) or `overrides` (a ConfigMap). */
export const STATE_LABEL = 'shoal.dev/state';
/** On state objects: the release they describe. */
export const STATE_RELEASE_LABEL = 'shoal.dev/release-name';
/** On revision Secrets: the revision number. */
export const REVISION_LABEL = 'shoal.dev/revision';
/** On revision Secrets: deployed | failed | superseded | rolled-back | pending. */
export const REVISION_STATUS_LABEL = 'shoal.dev/status';
/** The field manager of every apply. */
export const FIELD_MANAGER = 'shoal';

/** The label selector of a release's objects. */
export function releaseSelector(release: string, namespace: string): string {
  return `${RELEASE_LABEL}=${release},${RELEASE_NAMESPACE_LABEL}=${namespace}`;
}
