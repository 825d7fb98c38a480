{{/*
The non-secret environment: what the kit needs to run under Kubernetes (name, port, drain
timing, collector) and the app's own `config` values. Values are strings (env vars).
*/}}
{{- define "shoal-service.configmap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "shoal-service.fullname" . }}
  labels:
    {{- include "shoal-service.labels" . | nindent 4 }}
data:
  SERVICE_NAME: {{ include "shoal-service.name" . | quote }}
  PORT: {{ .Values.ports.http | quote }}
  {{- if .Values.ports.admin }}
  ADMIN_PORT: {{ .Values.ports.admin | quote }}
  {{- end }}
  SHUTDOWN_DELAY_MS: {{ .Values.shutdown.delayMs | quote }}
  SHUTDOWN_TIMEOUT_MS: {{ .Values.shutdown.timeoutMs | quote }}
  {{- with .Values.global.otelEndpoint }}
  OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
  {{- end }}
  {{- range $key, $value := .Values.config }}
  {{ $key }}: {{ tpl (toString $value) $ | quote }}
  {{- end }}
{{- end -}}
