{{/* A prometheus-operator ServiceMonitor for /metrics (off by default: needs the operator's CRDs). */}}
{{- define "shoal-service.servicemonitor" -}}
{{- if .Values.serviceMonitor.enabled -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "shoal-service.fullname" . }}
  labels:
    {{- include "shoal-service.labels" . | nindent 4 }}
    {{- with .Values.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "shoal-service.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: {{ include "shoal-service.healthPortName" . }}
      path: /metrics
      interval: {{ .Values.serviceMonitor.interval }}
      scrapeTimeout: {{ .Values.serviceMonitor.scrapeTimeout }}
{{- end -}}
{{- end -}}
