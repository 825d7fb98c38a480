{{/*
Secrets the chart generates itself (e.g. auth's key-encryption key), so no secret is ever
written into values. On upgrade the existing values are looked up and kept; the Secret is
kept when the release is uninstalled (data sealed with it would be lost otherwise).
`helm template` cannot look up, so renders through it make new values: set
generatedSecret.enabled=false and provide the Secret (secretEnv) in that case.
*/}}
{{- define "shoal-service.generatedSecretName" -}}
{{- printf "%s-generated" (include "shoal-service.fullname" .) -}}
{{- end -}}

{{- define "shoal-service.secret" -}}
{{- if .Values.generatedSecret.enabled -}}
{{- $name := include "shoal-service.generatedSecretName" . -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $name -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ $name }}
  labels:
    {{- include "shoal-service.labels" . | nindent 4 }}
  annotations:
    helm.sh/resource-policy: keep
type: Opaque
data:
  {{- range $var, $spec := .Values.generatedSecret.keys }}
  {{- if and $existing (hasKey $existing.data $var) }}
  {{ $var }}: {{ index $existing.data $var }}
  {{- else }}
  {{ $var }}: {{ randBytes (int $spec.bytes) | b64enc }}
  {{- end }}
  {{- end }}
{{- end -}}
{{- end -}}
