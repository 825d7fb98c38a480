{{/* What `helm install` prints for a service chart. */}}
{{- define "shoal-service.notes" -}}
{{- $fullname := include "shoal-service.fullname" . -}}
{{ include "shoal-service.name" . }} {{ include "shoal-service.imageTag" . }} is installed as release {{ .Release.Name }} in namespace {{ .Release.Namespace }}.

Image: {{ include "shoal-service.image" . }}
Replicas: {{ if .Values.autoscaling.enabled }}{{ .Values.autoscaling.minReplicas }}-{{ .Values.autoscaling.maxReplicas }} (HorizontalPodAutoscaler {{ $fullname }}){{ else }}{{ .Values.replicaCount }} (fixed){{ end }}

Watch the rollout:
  kubectl -n {{ .Release.Namespace }} rollout status deployment/{{ $fullname }}
  kubectl -n {{ .Release.Namespace }} get hpa,pods -l app.kubernetes.io/instance={{ .Release.Name }}
{{- if .Values.ingress.enabled }}

Through the edge ({{ .Values.ingress.className | default .Values.global.ingressClassName }} class, auth {{ .Values.ingress.policy.auth }}):
{{- range .Values.ingress.paths }}
  curl http{{ if $.Values.ingress.tls.enabled }}s{{ end }}://{{ $.Values.ingress.host | default $.Values.global.host }}{{ . }}/...
{{- end }}
{{- end }}
{{- if .Values.ingressController.enabled }}

This gateway serves Ingresses of class {{ .Values.ingressController.className }} (controller {{ .Values.ingressController.controller }}){{ if .Values.ingressController.watchNamespace }} in namespace {{ .Values.ingressController.watchNamespace }}{{ end }}.
{{- if eq .Values.service.type "NodePort" }}
On kind (kind-config.yaml), host port 80 reaches NodePort {{ .Values.service.nodePort }}: curl -H 'Host: {{ .Values.global.host }}' http://localhost/
{{- end }}
{{- end }}

Directly (port-forward):
  kubectl -n {{ .Release.Namespace }} port-forward svc/{{ $fullname }} 8080:{{ .Values.service.port }}
  curl localhost:8080{{ if not .Values.ports.admin }}/readyz{{ end }}
{{- if .Values.tests.enabled }}

Check it: helm test {{ .Release.Name }} -n {{ .Release.Namespace }}
{{- end }}
{{- $missing := list -}}
{{- range $var, $ref := .Values.secretEnv }}{{ if not $ref.optional }}{{ $missing = append $missing (printf "%s (Secret %s, key %s)" $var (tpl $ref.secretName $) $ref.key) }}{{ end }}{{ end }}
{{- if $missing }}

It reads these from Secrets (the platform chart makes the shoal-* ones):
{{- range $missing }}
  - {{ . }}
{{- end }}
{{- end }}
{{- end -}}
