{{/* Names, labels and generated credentials shared by the platform's parts. */}}

{{/* An object name: `<prefix>-<part>` (e.g. shoal-postgresql), the address the service charts use. */}}
{{- define "platform.name" -}}
{{- printf "%s-%s" (index . 0).Values.namePrefix (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "platform.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ index . 1 }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
{{- end -}}

{{- define "platform.labels" -}}
{{- $root := index . 0 -}}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version }}
{{ include "platform.selectorLabels" . }}
app.kubernetes.io/part-of: {{ $root.Values.partOf }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
{{- end -}}

{{/*
A credential generated once and kept: the value already in the named Secret when there is
one (upgrades), else a new random one. `helm template` cannot look up, so it always makes new.
Args: (list $root secretName key length)
*/}}
{{- define "platform.credential" -}}
{{- $root := index . 0 -}}
{{- $existing := lookup "v1" "Secret" $root.Release.Namespace (index . 1) -}}
{{- if and $existing $existing.data (hasKey $existing.data (index . 2)) -}}
{{- index $existing.data (index . 2) | b64dec -}}
{{- else -}}
{{- randAlphaNum (int (index . 3)) -}}
{{- end -}}
{{- end -}}

{{/* Restricted Pod Security for a container. */}}
{{- define "platform.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/* Restricted Pod Security for a pod running as uid (arg). */}}
{{- define "platform.podSecurity" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}
