{{/* Its own ServiceAccount, with no API token mounted unless the app talks to the API (the gateway). */}}
{{- define "shoal-service.serviceaccount" -}}
{{- if .Values.serviceAccount.create -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "shoal-service.serviceAccountName" . }}
  labels:
    {{- include "shoal-service.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountToken }}
{{- end -}}
{{- end -}}
